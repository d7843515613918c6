// The kernels of quantized weights (core/weight_quantization.h): widening a block of codes to float
// for the blocked (prefill) path, and the product with a few rows of x straight from the codes for
// decoding. Internal to kernels/cpu: included only by the simd_kernels_*.cpp files, with V one of the
// vector types of vec_*.h.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "kernels/cpu/simd_kernels.h"
#include "kernels/cpu/weight_matrix.h"

namespace qwenrt::cpu {
namespace {

// Columns [k0, k0 + count) of row `row`: w = scale * q (int8) or scale * (q - zero) (int4), the
// difference of two small integers being exact, so the result is the one rounding of the product.
// int4 needs k0, count and the group size even (detail::check_quantized checks the columns and the
// group size; k0 is 0 or a multiple of matmul's blocks).
inline void dequantize_impl(const WeightMatrix& w, std::size_t row, std::size_t k0, std::size_t count, float* dst) {
  const std::byte* codes = w.data + row * w.row_bytes();
  const float* scales = w.scales + row * w.row_groups();
  if (w.quantization == WeightQuantization::kInt8) {
    const auto* q = reinterpret_cast<const std::int8_t*>(codes) + k0;
    const float scale = scales[0];
    for (std::size_t i = 0; i < count; ++i) dst[i] = scale * static_cast<float>(q[i]);
    return;
  }
  const auto* packed = reinterpret_cast<const std::uint8_t*>(codes);
  const std::uint8_t* zeros = w.zeros + row * w.row_groups();
  for (std::size_t c = k0, end = k0 + count; c < end;) {
    const std::size_t g = c / w.group_size, stop = std::min(end, (g + 1) * w.group_size);
    const float scale = scales[g];
    const int zero = zeros[g];
    const std::uint8_t* bytes = packed + c / 2;
    float* out = dst + (c - k0);
    for (std::size_t j = 0; j < (stop - c) / 2; ++j) {
      out[2 * j] = scale * static_cast<float>((bytes[j] & 0x0F) - zero);
      out[2 * j + 1] = scale * static_cast<float>((bytes[j] >> 4) - zero);
    }
    c = stop;
  }
}

// V::kWidth codes of a row from column c (even for int4), as float; `lanes` < V::kWidth reads only
// that many and zeroes the rest.
template <typename V, WeightQuantization kCoding>
inline typename V::Reg load_codes(const std::byte* row, std::size_t c, std::size_t lanes) {
  if (lanes == V::kWidth) {
    if constexpr (kCoding == WeightQuantization::kInt8) {
      return V::load_i8(row + c);
    } else {
      return V::load_u4(row + c / 2);
    }
  }
  float codes[V::kWidth] = {};
  for (std::size_t i = 0; i < lanes; ++i) {
    if constexpr (kCoding == WeightQuantization::kInt8) {
      codes[i] = static_cast<float>(static_cast<std::int8_t>(row[c + i]));
    } else {
      codes[i] = static_cast<float>(int4_code(reinterpret_cast<const std::uint8_t*>(row), c + i));
    }
  }
  return V::load(codes);
}

// y[r * ldy] += dot(x_r, row j of w) for r < kRows. Per group of columns (the whole row for int8) the
// products of x and the codes (minus the zero point) are summed, then scaled once: sum over groups of
// scale_g * sum over the group of x * (q - zero).
template <typename V, WeightQuantization kCoding, std::size_t kRows>
void quantized_dot_row(const float* x, std::size_t ldx, const WeightMatrix& w, std::size_t j, float* y,
                       std::size_t ldy) {
  using Reg = typename V::Reg;
  // One row of x alone would wait on each multiply-add's latency: it gets two independent sums.
  constexpr std::size_t kChains = kRows == 1 ? 2 : 1;
  const std::byte* row = w.data + j * w.row_bytes();
  const std::size_t groups = w.row_groups();
  const float* scales = w.scales + j * groups;
  const std::size_t group_size = kCoding == WeightQuantization::kInt8 ? w.cols : w.group_size;
  Reg total[kRows];
  for (Reg& t : total) t = V::zero();
  for (std::size_t g = 0; g < groups; ++g) {
    const std::size_t begin = g * group_size, end = std::min(w.cols, begin + group_size);
    const Reg zero = kCoding == WeightQuantization::kInt4 ? V::set1(static_cast<float>(w.zeros[j * groups + g]))
                                                          : V::zero();
    const auto codes_at = [&](std::size_t c, std::size_t lanes) {
      const Reg wv = load_codes<V, kCoding>(row, c, lanes);
      return kCoding == WeightQuantization::kInt4 ? V::sub(wv, zero) : wv;
    };
    Reg acc[kRows][kChains];
    for (auto& chains : acc) {
      for (Reg& a : chains) a = V::zero();
    }
    std::size_t c = begin;
    for (; c + kChains * V::kWidth <= end; c += kChains * V::kWidth) {
      for (std::size_t u = 0; u < kChains; ++u) {
        const Reg wv = codes_at(c + u * V::kWidth, V::kWidth);
        for (std::size_t r = 0; r < kRows; ++r) acc[r][u] = V::fma(V::load(x + r * ldx + c + u * V::kWidth), wv, acc[r][u]);
      }
    }
    for (; c < end; c += V::kWidth) {
      // Past `lanes` the codes minus the zero point are not zero, but x's partial load is.
      const std::size_t lanes = std::min(V::kWidth, end - c);
      const Reg wv = codes_at(c, lanes);
      for (std::size_t r = 0; r < kRows; ++r) {
        const float* xr = x + r * ldx + c;
        acc[r][0] = V::fma(lanes == V::kWidth ? V::load(xr) : V::load_partial(xr, lanes), wv, acc[r][0]);
      }
    }
    const Reg scale = V::set1(scales[g]);
    for (std::size_t r = 0; r < kRows; ++r) {
      Reg sum = acc[r][0];
      for (std::size_t u = 1; u < kChains; ++u) sum = V::add(sum, acc[r][u]);
      total[r] = V::fma(sum, scale, total[r]);
    }
  }
  for (std::size_t r = 0; r < kRows; ++r) y[r * ldy] += V::reduce_add(total[r]);
}

// quantized_dot_row for a run-time row count in [1, kRows].
template <typename V, WeightQuantization kCoding, std::size_t kRows>
void quantized_dot_row_rows(std::size_t rows, const float* x, std::size_t ldx, const WeightMatrix& w, std::size_t j,
                            float* y, std::size_t ldy) {
  if constexpr (kRows > 1) {
    if (rows < kRows) return quantized_dot_row_rows<V, kCoding, kRows - 1>(rows, x, ldx, w, j, y, ldy);
  }
  quantized_dot_row<V, kCoding, kRows>(x, ldx, w, j, y, ldy);
}

// Rows of x each pass over a quantized weight row serves.
constexpr std::size_t kQuantizedStreamRows = 4;

// y[i * ldy + (j - j0)] += dot(x_i, row j of w) for i < m and j in [j0, j0 + n): each weight row read
// once from memory, front to back, per kQuantizedStreamRows rows of x.
template <typename V>
void matmul_stream_quantized(const float* x, std::size_t ldx, std::size_t m, const WeightMatrix& w, std::size_t j0,
                             std::size_t n, float* y, std::size_t ldy) {
  for (std::size_t j = j0; j < j0 + n; ++j) {
    for (std::size_t i = 0; i < m; i += kQuantizedStreamRows) {
      const std::size_t rows = std::min(kQuantizedStreamRows, m - i);
      float* out = y + i * ldy + (j - j0);
      if (w.quantization == WeightQuantization::kInt8) {
        quantized_dot_row_rows<V, WeightQuantization::kInt8, kQuantizedStreamRows>(rows, x + i * ldx, ldx, w, j, out, ldy);
      } else {
        quantized_dot_row_rows<V, WeightQuantization::kInt4, kQuantizedStreamRows>(rows, x + i * ldx, ldx, w, j, out, ldy);
      }
    }
  }
}

}  // namespace
}  // namespace qwenrt::cpu
