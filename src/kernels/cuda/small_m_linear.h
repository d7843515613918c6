// The linear layer for a few rows of x (decoding: one row per sequence of the batch), where the
// product is a matter of streaming W from memory once: each warp reads whole rows of W with 16-byte
// loads, several in flight, and multiplies each element with the same column of every row of x, so
// W's bytes are read exactly once whatever m. Same contract as Gemm::linear.
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstddef>

#include "kernels/cuda/gemm.h"

namespace qwenrt::cuda {

// The most rows of x small_m_linear takes: measured on an H100 against cuBLASLt on Qwen2.5-7B's
// matrices, it streams W faster up to 4 rows and slower at 8, where x's loads start to compete with W's.
inline constexpr std::size_t kSmallMaxRows = 4;

// Whether small_m_linear handles the product: m <= kSmallMaxRows and rows of 16-byte multiples
// (in_features a multiple of 8) starting at 16-byte aligned x and w.
bool small_m_linear_applies(const __nv_bfloat16* x, std::size_t m, const __nv_bfloat16* w, std::size_t in_features);

// y[i, j] = sum over kk of x[i, kk] * w[j, kk], products summed in float (per lane in order, then
// across the warp), y in bf16 or float. Throws Error unless small_m_linear_applies.
void small_m_linear(cudaStream_t stream, const __nv_bfloat16* x, std::size_t m, const __nv_bfloat16* w,
                    std::size_t out_features, std::size_t in_features, GemmOutput output, void* y);

// The MLP's gate and up projections and the SwiGLU between them in one pass over W: w is 2 * width x
// in_features with the gate and up projections' rows interleaved (gate row j at 2j, up row j at
// 2j + 1), and y (m x width, bf16) = silu(x gate^T) * (x up^T), in float until the store, as
// silu_mul (activation.h) computes it. Throws Error unless small_m_linear_applies.
void small_m_swiglu(cudaStream_t stream, const __nv_bfloat16* x, std::size_t m, const __nv_bfloat16* w,
                    std::size_t width, std::size_t in_features, __nv_bfloat16* y);

}  // namespace qwenrt::cuda
