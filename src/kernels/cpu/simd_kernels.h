// The inner loops of the CPU kernels, compiled once per SIMD level (simd_kernels_scalar.cpp,
// simd_kernels_avx2.cpp, simd_kernels_avx512.cpp) and reached through a table of function pointers
// chosen by simd_level(). The public kernels (matmul.h, norm.h, ...) validate their arguments, split
// the work over the thread pool and call these on plain pointers. Internal to kernels/cpu.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/dtype.h"
#include "kernels/cpu/simd_level.h"
#include "kernels/cpu/weight_matrix.h"

namespace qwenrt::cpu::detail {

// Rows of a weight matrix in its stored type: row j starts at data + j * row_bytes.
struct WeightRows {
  DType dtype = DType::kF32;
  const std::byte* data = nullptr;
  std::size_t row_bytes = 0;
};

// Keys one attention tile scores at a time (at most; a chunk never crosses a cache block).
constexpr std::size_t kAttentionKeyChunk = 64;

// One query tile of one KV head against the keys [key_begin, key_end) of one sequence; see
// paged_attention.cpp. Results are unnormalised so that tiles over different key ranges can be merged.
struct AttentionTile {
  const float* queries = nullptr;  // rows x head_dim, already multiplied by the softmax scale
  std::size_t rows = 0;
  std::size_t group = 0;           // consecutive rows per query token (query heads of this KV head)
  std::size_t head_dim = 0;
  std::size_t first_position = 0;  // position of the token of rows [0, group); later tokens follow
  std::size_t key_begin = 0;
  std::size_t key_end = 0;
  const std::int32_t* block_table = nullptr;
  std::size_t block_size = 0;
  // The layer's caches offset to this KV head: key position p lives at
  // keys + (block_table[p / block_size] * block_size + p % block_size) * slot_stride.
  const float* keys = nullptr;
  const float* values = nullptr;
  std::size_t slot_stride = 0;
  float* scores = nullptr;   // scratch: rows * kAttentionKeyChunk
  float* row_max = nullptr;  // out: per row, the largest score seen (-inf when no key was visible)
  float* row_sum = nullptr;  // out: per row, sum of exp(score - row_max)
  float* acc = nullptr;      // out: rows x head_dim, sum of exp(score - row_max) * value
};

// y[i * ldy + j] += sum over kk < k of x[i * ldx + kk] * w_j[kk], for i < m and j < n.
using MatmulFn = void (*)(const float* x, std::size_t ldx, std::size_t m, const WeightRows& w, std::size_t n,
                          std::size_t k, float* y, std::size_t ldy);

struct SimdKernels {
  SimdLevel level;
  // Rows of x one register tile of matmul_accumulate covers.
  std::size_t matmul_tile_rows;
  // Rows of x matmul_stream serves per pass over the weights (more rows pass over them again).
  std::size_t matmul_stream_rows;

  // For weights read from memory: each weight row once, front to back (memory-bound, few x rows).
  MatmulFn matmul_stream;
  // For weights in cache: register tiles of x rows against four weight rows (arithmetic-bound).
  MatmulFn matmul_accumulate;
  // matmul_stream for quantized weights: y[i * ldy + (j - j0)] += dot(x_i, row j of w), j in [j0, j0 + n).
  void (*matmul_stream_quantized)(const float* x, std::size_t ldx, std::size_t m, const WeightMatrix& w,
                                  std::size_t j0, std::size_t n, float* y, std::size_t ldy);
  // dst[i] = src[i] widened to float.
  void (*convert)(DType dtype, const std::byte* src, std::size_t count, float* dst);
  // Columns [k0, k0 + count) of row `row` of quantized weights, widened to float (dequantize_impl.h).
  void (*dequantize)(const WeightMatrix& w, std::size_t row, std::size_t k0, std::size_t count, float* dst);
  // out[i] = a[i] + b[i]; out may be a or b.
  void (*add)(const float* a, const float* b, float* out, std::size_t count);
  // out[i] = gate[i] / (1 + exp(-gate[i])) * up[i]; out may be gate or up.
  void (*silu_mul)(const float* gate, const float* up, float* out, std::size_t count);
  float (*sum_squares)(const float* x, std::size_t count);
  // out[i] = x[i] * scale * weight[i]; out may be x.
  void (*scale_mul)(const float* x, float scale, const float* weight, float* out, std::size_t count);
  float (*max)(const float* x, std::size_t count);  // count >= 1
  // x[i] = exp(x[i] - shift); returns the sum of the new x.
  float (*exp_shifted_sum)(float* x, float shift, std::size_t count);
  void (*scale)(float* x, float factor, std::size_t count);
  void (*attention_tile)(const AttentionTile& tile);
};

const SimdKernels& scalar_simd_kernels();
#if defined(__x86_64__) || defined(__i386__)
const SimdKernels& avx2_simd_kernels();
const SimdKernels& avx512_simd_kernels();
#endif

// The table for simd_level().
const SimdKernels& active_simd_kernels();

}  // namespace qwenrt::cpu::detail
