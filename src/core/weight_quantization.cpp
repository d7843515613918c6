#include "core/weight_quantization.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace qwenrt {

std::string_view weight_quantization_name(WeightQuantization quantization) {
  switch (quantization) {
    case WeightQuantization::kNone: return "none";
    case WeightQuantization::kInt8: return "int8";
    case WeightQuantization::kInt4: return "int4";
  }
  return "unknown";
}

std::optional<WeightQuantization> parse_weight_quantization(std::string_view name) {
  for (const auto q : {WeightQuantization::kNone, WeightQuantization::kInt8, WeightQuantization::kInt4}) {
    if (name == weight_quantization_name(q)) return q;
  }
  return std::nullopt;
}

std::size_t quantized_row_bytes(WeightQuantization quantization, std::size_t cols) {
  switch (quantization) {
    case WeightQuantization::kInt8: return cols;
    case WeightQuantization::kInt4: return (cols + 1) / 2;
    case WeightQuantization::kNone: break;
  }
  fail("quantized_row_bytes: the weights are not quantized");
}

std::size_t quantized_row_groups(WeightQuantization quantization, std::size_t cols, std::size_t group_size) {
  switch (quantization) {
    case WeightQuantization::kInt8: return 1;
    case WeightQuantization::kInt4:
      if (group_size == 0) fail("int4 weights need a group size of at least 1");
      return (cols + group_size - 1) / group_size;
    case WeightQuantization::kNone: break;
  }
  fail("quantized_row_groups: the weights are not quantized");
}

float quantize_row_int8(std::span<const float> row, std::span<std::int8_t> codes) {
  if (codes.size() != row.size()) fail("quantize_row_int8: ", row.size(), " weights but room for ", codes.size());
  float largest = 0.0f;
  for (const float w : row) largest = std::max(largest, std::fabs(w));
  const float scale = largest > 0.0f ? largest / 127.0f : 1.0f;
  for (std::size_t i = 0; i < row.size(); ++i) {
    codes[i] = static_cast<std::int8_t>(std::clamp(std::round(row[i] / scale), -127.0f, 127.0f));
  }
  return scale;
}

void quantize_row_int4(std::span<const float> row, std::size_t group_size, std::span<std::uint8_t> packed,
                       std::span<float> scales, std::span<std::uint8_t> zeros) {
  const std::size_t groups = quantized_row_groups(WeightQuantization::kInt4, row.size(), group_size);
  if (packed.size() != (row.size() + 1) / 2 || scales.size() != groups || zeros.size() != groups) {
    fail("quantize_row_int4: ", row.size(), " weights in groups of ", group_size, " need ", (row.size() + 1) / 2,
         " bytes, ", groups, " scales and zeros; got ", packed.size(), ", ", scales.size(), " and ", zeros.size());
  }
  std::fill(packed.begin(), packed.end(), std::uint8_t{0});
  for (std::size_t g = 0; g < groups; ++g) {
    const std::size_t begin = g * group_size, end = std::min(row.size(), begin + group_size);
    float low = 0.0f, high = 0.0f;
    for (std::size_t i = begin; i < end; ++i) {
      low = std::min(low, row[i]);
      high = std::max(high, row[i]);
    }
    const float scale = high > low ? (high - low) / 15.0f : 1.0f;
    const float zero = std::clamp(std::round(-low / scale), 0.0f, 15.0f);
    scales[g] = scale;
    zeros[g] = static_cast<std::uint8_t>(zero);
    for (std::size_t i = begin; i < end; ++i) {
      const auto code = static_cast<std::uint8_t>(std::clamp(std::round(row[i] / scale) + zero, 0.0f, 15.0f));
      packed[i / 2] |= static_cast<std::uint8_t>(i % 2 == 0 ? code : code << 4);
    }
  }
}

}  // namespace qwenrt
