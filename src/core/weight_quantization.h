// Weight-only quantization of the linear layers, as an engine built with `qwenrt build --weight-only`
// stores them: the activations stay in float (CPU) or bf16 (GPU), each weight is a small integer code
// and a scale shared by a run of the row's columns. The two codings are TensorRT-LLM's weight-only
// int8 and the int4 of GPTQ and AWQ checkpoints, so those import without requantizing:
//  - int8: one scale per output row (symmetric): w = scale * q, q in [-127, 127];
//  - int4: one scale and zero point per output row and group of group_size columns (asymmetric):
//    w = scale * (q - zero), q and zero in [0, 15]; two codes a byte, column 2c in the low nibble.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace qwenrt {

enum class WeightQuantization { kNone, kInt8, kInt4 };

// "none", "int8", "int4".
std::string_view weight_quantization_name(WeightQuantization quantization);
std::optional<WeightQuantization> parse_weight_quantization(std::string_view name);

// The group size GPTQ and AWQ checkpoints use most, and the default of `qwenrt build`.
inline constexpr std::size_t kDefaultInt4GroupSize = 128;

// Bytes one row of cols codes takes.
std::size_t quantized_row_bytes(WeightQuantization quantization, std::size_t cols);
// Groups (scales) one row of cols columns has: 1 for int8, ceil(cols / group_size) for int4.
std::size_t quantized_row_groups(WeightQuantization quantization, std::size_t cols, std::size_t group_size);

// Rounds one row to int8 codes (codes.size() == row.size()); returns the scale, max |w| / 127 (1 for
// an all-zero row, so that dequantization never divides). Round to nearest, ties away from zero.
float quantize_row_int8(std::span<const float> row, std::span<std::int8_t> codes);

// Rounds one row to int4 codes, packed two a byte (packed.size() == (row.size() + 1) / 2), with a scale
// and zero point per group (scales.size() == zeros.size() == groups): each group's range [min, max],
// widened to hold 0 so that zero is exact, maps onto [0, 15].
void quantize_row_int4(std::span<const float> row, std::size_t group_size, std::span<std::uint8_t> packed,
                       std::span<float> scales, std::span<std::uint8_t> zeros);

// The int4 code of column c in a packed row.
inline std::uint8_t int4_code(const std::uint8_t* packed, std::size_t c) {
  return c % 2 == 0 ? packed[c / 2] & 0x0F : packed[c / 2] >> 4;
}

}  // namespace qwenrt
