// Builds the SimdKernels table of one SIMD level from the templates of the *_impl.h headers.
// Internal to kernels/cpu: included only by the simd_kernels_*.cpp files.
#pragma once

#include <cstddef>

#include "kernels/cpu/attention_tile_impl.h"
#include "kernels/cpu/matmul_tile_impl.h"
#include "kernels/cpu/quantized_matmul_impl.h"
#include "kernels/cpu/simd_kernels.h"
#include "kernels/cpu/vector_ops_impl.h"

namespace qwenrt::cpu {
namespace {

// kRows: x rows per matmul register tile, as many as the level's vector registers hold next to the
// four weight vectors (kRows x 4 accumulators).
template <typename V, std::size_t kRows>
constexpr detail::SimdKernels make_simd_kernels(SimdLevel level) {
  return detail::SimdKernels{
      level,
      kRows,
      kStreamRows,
      &matmul_stream<V>,
      &matmul_accumulate<V, kRows>,
      &matmul_stream_quantized<V>,
      &convert_impl<V>,
      &dequantize_impl,
      &add_impl<V>,
      &silu_mul_impl<V>,
      &sum_squares_impl<V>,
      &scale_mul_impl<V>,
      &max_impl<V>,
      &exp_shifted_sum_impl<V>,
      &scale_impl<V>,
      &attention_tile_impl<V, kRows>,
  };
}

}  // namespace
}  // namespace qwenrt::cpu
