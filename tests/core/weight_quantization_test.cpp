#include "core/weight_quantization.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "core/error.h"

namespace qwenrt {
namespace {

std::vector<float> random_row(std::mt19937& rng, std::size_t count, float low, float high) {
  std::uniform_real_distribution<float> dist(low, high);
  std::vector<float> row(count);
  for (float& w : row) w = dist(rng);
  return row;
}

TEST(WeightQuantization, NamesRoundTrip) {
  for (const auto q : {WeightQuantization::kNone, WeightQuantization::kInt8, WeightQuantization::kInt4}) {
    EXPECT_EQ(parse_weight_quantization(weight_quantization_name(q)), q);
  }
  EXPECT_FALSE(parse_weight_quantization("int3").has_value());
  EXPECT_EQ(quantized_row_bytes(WeightQuantization::kInt4, 7), 4u);
  EXPECT_EQ(quantized_row_groups(WeightQuantization::kInt4, 300, 128), 3u);
  EXPECT_EQ(quantized_row_groups(WeightQuantization::kInt8, 300, 0), 1u);
  EXPECT_THROW(quantized_row_bytes(WeightQuantization::kNone, 8), Error);
  EXPECT_THROW(quantized_row_groups(WeightQuantization::kInt4, 8, 0), Error);
}

TEST(WeightQuantization, Int8CodesAreWithinHalfAStepAndTheLargestWeightIsExact) {
  std::mt19937 rng(3);
  const std::vector<float> row = random_row(rng, 1000, -0.7f, 0.4f);
  std::vector<std::int8_t> codes(row.size());
  const float scale = quantize_row_int8(row, codes);
  float largest = 0.0f;
  for (const float w : row) largest = std::max(largest, std::fabs(w));
  EXPECT_FLOAT_EQ(scale, largest / 127.0f);
  for (std::size_t i = 0; i < row.size(); ++i) {
    ASSERT_GE(codes[i], -127);
    ASSERT_NEAR(scale * codes[i], row[i], scale * 0.5f * (1 + 1e-5f)) << "at " << i;
    if (std::fabs(row[i]) == largest) {
      EXPECT_EQ(std::abs(codes[i]), 127);
    }
  }
}

TEST(WeightQuantization, Int8OfAZeroRowIsZeroWithAUsableScale) {
  const std::vector<float> row(5, 0.0f);
  std::vector<std::int8_t> codes(5, 9);
  EXPECT_EQ(quantize_row_int8(row, codes), 1.0f);
  for (const std::int8_t c : codes) EXPECT_EQ(c, 0);
  std::vector<std::int8_t> short_codes(4);
  EXPECT_THROW(quantize_row_int8(row, short_codes), Error);
}

TEST(WeightQuantization, Int4GroupsSpanTheirRangeWithZeroExact) {
  std::mt19937 rng(8);
  constexpr std::size_t kCols = 300, kGroup = 128, kGroups = 3;
  // Groups of different signs: all positive, all negative, mixed; one exact zero weight.
  std::vector<float> row = random_row(rng, kCols, -0.2f, 0.5f);
  for (std::size_t i = 0; i < kGroup; ++i) row[i] = std::fabs(row[i]) + 0.1f;
  for (std::size_t i = kGroup; i < 2 * kGroup; ++i) row[i] = -std::fabs(row[i]) - 0.05f;
  row[260] = 0.0f;
  std::vector<std::uint8_t> packed((kCols + 1) / 2);
  std::vector<float> scales(kGroups);
  std::vector<std::uint8_t> zeros(kGroups);
  quantize_row_int4(row, kGroup, packed, scales, zeros);
  EXPECT_EQ(zeros[0], 0);   // the range [0, max] starts at zero
  EXPECT_EQ(zeros[1], 15);  // [min, 0] ends at it
  for (std::size_t i = 0; i < kCols; ++i) {
    const std::size_t g = i / kGroup;
    const float value = scales[g] * static_cast<float>(int4_code(packed.data(), i) - zeros[g]);
    // Half a step of rounding, and at most half a step more where zero's rounding shifts the grid.
    ASSERT_NEAR(value, row[i], scales[g] * (1 + 1e-5f)) << "at " << i;
  }
  EXPECT_EQ(scales[2] * static_cast<float>(int4_code(packed.data(), 260) - zeros[2]), 0.0f);
  std::vector<float> few_scales(2);
  EXPECT_THROW(quantize_row_int4(row, kGroup, packed, few_scales, zeros), Error);
}

}  // namespace
}  // namespace qwenrt
