// The register tile behind matmul and attention scores: a block of x rows against four weight rows,
// both contiguous along k, accumulated in kRows x 4 vector registers and reduced once at the end.
// Weights are widened to float as they are loaded, so a bf16 matrix is read once, at its own size.
// Internal to kernels/cpu: included only by the simd_kernels_*.cpp files (see simd_kernels_scalar.cpp
// for why), with V one of the vector types of vec_*.h.
#pragma once

#include <cstddef>

#include "core/dtype.h"
#include "kernels/cpu/simd_kernels.h"

namespace qwenrt::cpu {
namespace {

// Weight rows handled together: they share each load of x, and four sums reduce in one step.
constexpr std::size_t kTileColumns = 4;

template <typename V, DType kType>
struct WeightLoad {
  static constexpr std::size_t kBytes = kType == DType::kF32 ? 4 : 2;
  static typename V::Reg load(const std::byte* p, std::size_t lanes) {
    if constexpr (kType == DType::kF32) {
      const float* f = reinterpret_cast<const float*>(p);
      return lanes == V::kWidth ? V::load(f) : V::load_partial(f, lanes);
    } else if constexpr (kType == DType::kBF16) {
      return lanes == V::kWidth ? V::load_bf16(p) : V::load_bf16_partial(p, lanes);
    } else {
      return lanes == V::kWidth ? V::load_f16(p) : V::load_f16_partial(p, lanes);
    }
  }
};

// acc[r][c] += x_r[i .. i + lanes) * w_c[i .. i + lanes), lanes <= V::kWidth (a partial load zeroes the
// lanes past the end, so they add nothing).
template <typename V, DType kType, std::size_t kRows>
inline void tile_step(typename V::Reg (&acc)[kRows][kTileColumns], const float* x, std::size_t ldx,
                      const std::byte* const* w, std::size_t i, std::size_t lanes) {
  using Load = WeightLoad<V, kType>;
  typename V::Reg wv[kTileColumns];
  for (std::size_t c = 0; c < kTileColumns; ++c) wv[c] = Load::load(w[c] + i * Load::kBytes, lanes);
  for (std::size_t r = 0; r < kRows; ++r) {
    const float* xr = x + r * ldx + i;
    const typename V::Reg xv = lanes == V::kWidth ? V::load(xr) : V::load_partial(xr, lanes);
    for (std::size_t c = 0; c < kTileColumns; ++c) acc[r][c] = V::fma(xv, wv[c], acc[r][c]);
  }
}

// y[r * ldy + c] += dot(x_r, w_c) for r < kRows and c < columns; w holds kTileColumns row pointers
// (the ones past columns repeat a valid row and their sums are dropped).
template <typename V, DType kType, std::size_t kRows>
void dot_tile(const float* x, std::size_t ldx, const std::byte* const* w, std::size_t k, float* y,
              std::size_t ldy, std::size_t columns) {
  typename V::Reg acc[kRows][kTileColumns];
  for (auto& row : acc) {
    for (auto& a : row) a = V::zero();
  }
  std::size_t i = 0;
  for (; i + V::kWidth <= k; i += V::kWidth) tile_step<V, kType, kRows>(acc, x, ldx, w, i, V::kWidth);
  if (i < k) tile_step<V, kType, kRows>(acc, x, ldx, w, i, k - i);
  for (std::size_t r = 0; r < kRows; ++r) {
    float sums[kTileColumns];
    V::reduce_add4(acc[r][0], acc[r][1], acc[r][2], acc[r][3], sums);
    for (std::size_t c = 0; c < columns; ++c) y[r * ldy + c] += sums[c];
  }
}

// dot_tile for a run-time row count in [1, kRows].
template <typename V, DType kType, std::size_t kRows>
void dot_tile_rows(std::size_t rows, const float* x, std::size_t ldx, const std::byte* const* w, std::size_t k,
                   float* y, std::size_t ldy, std::size_t columns) {
  if constexpr (kRows == 1) {
    dot_tile<V, kType, 1>(x, ldx, w, k, y, ldy, columns);
  } else {
    if (rows == kRows) {
      dot_tile<V, kType, kRows>(x, ldx, w, k, y, ldy, columns);
    } else {
      dot_tile_rows<V, kType, kRows - 1>(rows, x, ldx, w, k, y, ldy, columns);
    }
  }
}

// SimdKernels::matmul_accumulate for one weight type. Weight rows are the outer loop, so each group of
// four is read from memory once and then from cache for every further tile of x rows.
template <typename V, DType kType, std::size_t kRows>
void matmul_accumulate_typed(const float* x, std::size_t ldx, std::size_t m, const detail::WeightRows& w,
                             std::size_t n, std::size_t k, float* y, std::size_t ldy) {
  for (std::size_t j = 0; j < n; j += kTileColumns) {
    const std::size_t columns = n - j < kTileColumns ? n - j : kTileColumns;
    const std::byte* rows[kTileColumns];
    for (std::size_t c = 0; c < kTileColumns; ++c) {
      rows[c] = w.data + (j + (c < columns ? c : columns - 1)) * w.row_bytes;
    }
    for (std::size_t i = 0; i < m; i += kRows) {
      const std::size_t tile_rows = m - i < kRows ? m - i : kRows;
      dot_tile_rows<V, kType, kRows>(tile_rows, x + i * ldx, ldx, rows, k, y + i * ldy + j, ldy, columns);
    }
  }
}

template <typename V, std::size_t kRows>
void matmul_accumulate(const float* x, std::size_t ldx, std::size_t m, const detail::WeightRows& w, std::size_t n,
                       std::size_t k, float* y, std::size_t ldy) {
  switch (w.dtype) {
    case DType::kF32: return matmul_accumulate_typed<V, DType::kF32, kRows>(x, ldx, m, w, n, k, y, ldy);
    case DType::kF16: return matmul_accumulate_typed<V, DType::kF16, kRows>(x, ldx, m, w, n, k, y, ldy);
    case DType::kBF16: return matmul_accumulate_typed<V, DType::kBF16, kRows>(x, ldx, m, w, n, k, y, ldy);
  }
}

}  // namespace
}  // namespace qwenrt::cpu
