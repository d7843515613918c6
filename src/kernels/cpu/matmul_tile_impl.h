// The inner products behind matmul and attention scores, x rows against weight rows, both contiguous
// along k, accumulated in vector registers and reduced once at the end. Weights are widened to float as
// they are loaded, so a bf16 matrix is read at its own size.
//  - matmul_stream reads weights from memory: one weight row at a time, front to back, so a range of
//    rows is a single sequential stream that the hardware prefetcher follows at full speed (reading
//    four short rows side by side measured half the bandwidth on a Zen 4 core).
//  - matmul_accumulate works on weights already in cache: a register tile of kRows x rows against
//    four weight rows, so each load feeds several multiply-adds and the work is arithmetic-bound.
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

// SimdKernels::matmul_accumulate for one weight type. Tiles of x rows are the outer loop: a tile stays
// in L1 while the weight rows, which the caller keeps in cache, pass by four at a time (the other order
// measured 10-20% slower on 16 Xeon cores, from reloading x tiles out of L2).
template <typename V, DType kType, std::size_t kRows>
void matmul_accumulate_typed(const float* x, std::size_t ldx, std::size_t m, const detail::WeightRows& w,
                             std::size_t n, std::size_t k, float* y, std::size_t ldy) {
  for (std::size_t i = 0; i < m; i += kRows) {
    const std::size_t tile_rows = m - i < kRows ? m - i : kRows;
    for (std::size_t j = 0; j < n; j += kTileColumns) {
      const std::size_t columns = n - j < kTileColumns ? n - j : kTileColumns;
      const std::byte* rows[kTileColumns];
      for (std::size_t c = 0; c < kTileColumns; ++c) {
        rows[c] = w.data + (j + (c < columns ? c : columns - 1)) * w.row_bytes;
      }
      dot_tile_rows<V, kType, kRows>(tile_rows, x + i * ldx, ldx, rows, k, y + i * ldy + j, ldy, columns);
    }
  }
}

// y[r * ldy] += dot(x_r, w) for r < kRows, w a single weight row. Few x rows would leave the FMA
// latency exposed, so they get several independent accumulators along k.
template <typename V, DType kType, std::size_t kRows>
void dot_row(const float* x, std::size_t ldx, const std::byte* w, std::size_t k, float* y, std::size_t ldy) {
  using Load = WeightLoad<V, kType>;
  constexpr std::size_t kChains = kRows >= 4 ? 1 : (kRows == 1 ? 4 : 2);
  typename V::Reg acc[kRows][kChains];
  for (auto& row : acc) {
    for (auto& a : row) a = V::zero();
  }
  std::size_t i = 0;
  for (; i + kChains * V::kWidth <= k; i += kChains * V::kWidth) {
    for (std::size_t u = 0; u < kChains; ++u) {
      const std::size_t at = i + u * V::kWidth;
      const typename V::Reg wv = Load::load(w + at * Load::kBytes, V::kWidth);
      for (std::size_t r = 0; r < kRows; ++r) acc[r][u] = V::fma(V::load(x + r * ldx + at), wv, acc[r][u]);
    }
  }
  for (; i < k; i += V::kWidth) {
    const std::size_t lanes = k - i < V::kWidth ? k - i : V::kWidth;
    const typename V::Reg wv = Load::load(w + i * Load::kBytes, lanes);
    for (std::size_t r = 0; r < kRows; ++r) {
      const float* xr = x + r * ldx + i;
      acc[r][0] = V::fma(lanes == V::kWidth ? V::load(xr) : V::load_partial(xr, lanes), wv, acc[r][0]);
    }
  }
  for (std::size_t r = 0; r < kRows; ++r) {
    typename V::Reg sum = acc[r][0];
    for (std::size_t u = 1; u < kChains; ++u) sum = V::add(sum, acc[r][u]);
    y[r * ldy] += V::reduce_add(sum);
  }
}

// dot_row for a run-time row count in [1, kRows].
template <typename V, DType kType, std::size_t kRows>
void dot_row_rows(std::size_t rows, const float* x, std::size_t ldx, const std::byte* w, std::size_t k, float* y,
                  std::size_t ldy) {
  if constexpr (kRows == 1) {
    dot_row<V, kType, 1>(x, ldx, w, k, y, ldy);
  } else {
    if (rows == kRows) {
      dot_row<V, kType, kRows>(x, ldx, w, k, y, ldy);
    } else {
      dot_row_rows<V, kType, kRows - 1>(rows, x, ldx, w, k, y, ldy);
    }
  }
}

// Rows of x matmul_stream multiplies with each weight row as it streams past: one weight vector and
// eight x vectors per step still keep pace with memory.
constexpr std::size_t kStreamRows = 8;

template <typename V, DType kType>
void matmul_stream_typed(const float* x, std::size_t ldx, std::size_t m, const detail::WeightRows& w, std::size_t n,
                         std::size_t k, float* y, std::size_t ldy) {
  for (std::size_t j = 0; j < n; ++j) {
    const std::byte* row = w.data + j * w.row_bytes;
    for (std::size_t i = 0; i < m; i += kStreamRows) {
      const std::size_t rows = m - i < kStreamRows ? m - i : kStreamRows;
      dot_row_rows<V, kType, kStreamRows>(rows, x + i * ldx, ldx, row, k, y + i * ldy + j, ldy);
    }
  }
}

template <typename V>
void matmul_stream(const float* x, std::size_t ldx, std::size_t m, const detail::WeightRows& w, std::size_t n,
                   std::size_t k, float* y, std::size_t ldy) {
  switch (w.dtype) {
    case DType::kF32: return matmul_stream_typed<V, DType::kF32>(x, ldx, m, w, n, k, y, ldy);
    case DType::kF16: return matmul_stream_typed<V, DType::kF16>(x, ldx, m, w, n, k, y, ldy);
    case DType::kBF16: return matmul_stream_typed<V, DType::kBF16>(x, ldx, m, w, n, k, y, ldy);
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
