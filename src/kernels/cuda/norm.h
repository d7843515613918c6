// RMSNorm on the GPU: the residual stream stays in float, the normalised rows that feed the next
// matrix product come out in bf16. Same arithmetic as the CPU kernels (kernels/cpu/norm.h):
// x * (1 / sqrt(mean(x^2) + eps)) * weight, in float. The residual add itself happens in the product
// that makes the residual (GemmOutput::kF32Accumulate), so a norm reads x once and writes bf16 once.
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstddef>

namespace qwenrt::cuda {

// out[r] = rms_norm(x[r]) * weight for rows of dim floats; weight is dim floats. Throws Error for a
// dim above 16384 (Qwen's widest hidden size is 8192).
void rms_norm(cudaStream_t stream, const float* x, const float* weight, std::size_t rows, std::size_t dim, float eps,
              __nv_bfloat16* out);

}  // namespace qwenrt::cuda
