// The linear layer for a few rows of x (decoding: one row per sequence of the batch), where the
// product is a matter of streaming W from memory once: each block reads a few whole rows of W with
// 16-byte loads, its warps splitting the columns, and multiplies each element with the same column of
// every row of x, so W's bytes are read exactly once whatever m. Same contract as Gemm::linear.
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstddef>

#include "kernels/cuda/gemm.h"

namespace qwenrt::cuda {

// The most rows of x small_m_linear takes. Measured on an H200 with Qwen2.5-7B's matrices: alone
// (bench/cuda_linear_bench.cpp) it streams W 5-55% faster than cuBLASLt at 1 and 2 rows, mostly
// slower from 3; a whole decode step (`qwenrt bench latency`) took 4.89 ms at batch 4 through it,
// 4.56 ms at batch 6 through cuBLASLt.
inline constexpr std::size_t kSmallMaxRows = 2;

// Whether small_m_linear handles the product: m <= kSmallMaxRows and rows of 16-byte multiples
// (in_features a multiple of 8) starting at 16-byte aligned x and w.
bool small_m_linear_applies(const __nv_bfloat16* x, std::size_t m, const __nv_bfloat16* w, std::size_t in_features);

// y[i, j] = sum over kk of x[i, kk] * w[j, kk], products summed in float (per lane in order, then
// across the warp, then the warps' column slices in order), y in bf16 or float. Throws Error unless
// small_m_linear_applies.
void small_m_linear(cudaStream_t stream, const __nv_bfloat16* x, std::size_t m, const __nv_bfloat16* w,
                    std::size_t out_features, std::size_t in_features, GemmOutput output, void* y);

// The MLP's gate and up projections and the SwiGLU between them in one pass over W: w is 2 * width x
// in_features with the gate and up projections' rows interleaved (gate row j at 2j, up row j at
// 2j + 1), and y (m x width, bf16) = silu(x gate^T) * (x up^T), in float until the store, as
// silu_mul (activation.h) computes it. Throws Error unless small_m_linear_applies.
void small_m_swiglu(cudaStream_t stream, const __nv_bfloat16* x, std::size_t m, const __nv_bfloat16* w,
                    std::size_t width, std::size_t in_features, __nv_bfloat16* y);

}  // namespace qwenrt::cuda
