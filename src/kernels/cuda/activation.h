// The SwiGLU gate of the MLP on the GPU.
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstddef>

namespace qwenrt::cuda {

// gate_up is rows x (2 * width) bf16: each row holds the gate and up projections interleaved (gate j
// at 2j, up j at 2j + 1: the engine multiplies by the two weight matrices' rows interleaved, in one
// product). out is rows x width: out = silu(gate) * up with silu(g) = g / (1 + exp(-g)), in float, as
// kernels/cpu/activation.h.
void silu_mul(cudaStream_t stream, const __nv_bfloat16* gate_up, std::size_t rows, std::size_t width,
              __nv_bfloat16* out);

}  // namespace qwenrt::cuda
