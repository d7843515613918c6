#include "core/dtype.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

namespace qwenrt {
namespace {

std::uint32_t bits_of(float f) { return std::bit_cast<std::uint32_t>(f); }

// GCC's _Float16 conversions (libgcc's IEEE rounding) serve as an independent reference for F16.
std::uint16_t reference_f16(float value) {
  return std::bit_cast<std::uint16_t>(static_cast<_Float16>(value));
}

// Nearest BF16 computed in double: compare the two BF16 neighbours of value, ties to the even one.
std::uint16_t reference_bf16(float value) {
  const std::uint32_t truncated = bits_of(value) & 0xFFFF0000u;
  const double down = std::bit_cast<float>(truncated);
  const std::uint32_t up_bits = truncated + 0x10000u;
  // Past the largest finite BF16 the upper neighbour's pattern is infinity, which as a rounding
  // target sits where the next binade would start: 2^128.
  const double up = (up_bits & 0x7FFFFFFFu) == 0x7F800000u
                        ? std::copysign(std::ldexp(1.0, 128), value)
                        : static_cast<double>(std::bit_cast<float>(up_bits));
  const double v = value;
  const double to_down = std::fabs(v - down);
  const double to_up = std::fabs(up - v);
  if (to_down < to_up) return static_cast<std::uint16_t>(truncated >> 16);
  if (to_up < to_down) return static_cast<std::uint16_t>(up_bits >> 16);
  return static_cast<std::uint16_t>(((truncated >> 16) & 1) ? up_bits >> 16 : truncated >> 16);
}

TEST(DType, SizesAndNames) {
  EXPECT_EQ(dtype_size(DType::kF32), 4u);
  EXPECT_EQ(dtype_size(DType::kF16), 2u);
  EXPECT_EQ(dtype_size(DType::kBF16), 2u);
  EXPECT_EQ(dtype_name(DType::kF32), "F32");
  EXPECT_EQ(dtype_name(DType::kF16), "F16");
  EXPECT_EQ(dtype_name(DType::kBF16), "BF16");
}

TEST(DType, EveryHalfPatternWidensExactlyAndRoundTrips) {
  for (std::uint32_t i = 0; i <= 0xFFFF; ++i) {
    const auto bits = static_cast<std::uint16_t>(i);
    const float h = f16_to_float(bits);
    const float b = bf16_to_float(bits);
    const _Float16 reference = std::bit_cast<_Float16>(bits);
    if (std::isnan(h)) {
      EXPECT_TRUE(std::isnan(static_cast<float>(reference))) << i;
      EXPECT_TRUE(std::isnan(f16_to_float(float_to_f16(h)))) << i;
    } else {
      ASSERT_EQ(bits_of(h), bits_of(static_cast<float>(reference))) << i;
      ASSERT_EQ(float_to_f16(h), bits) << i;
    }
    if (std::isnan(b)) {
      EXPECT_TRUE(std::isnan(bf16_to_float(float_to_bf16(b)))) << i;
    } else {
      ASSERT_EQ(float_to_bf16(b), bits) << i;
    }
  }
}

TEST(DType, NarrowingMatchesReferenceRounding) {
  // A stride through all float patterns (odd, so every residue of the low bits is visited) covers
  // normals, subnormals, overflow and NaNs of both signs.
  for (std::uint64_t i = 0; i <= 0xFFFFFFFFull; i += 4099) {
    const float value = std::bit_cast<float>(static_cast<std::uint32_t>(i));
    if (std::isnan(value)) continue;
    ASSERT_EQ(float_to_f16(value), reference_f16(value)) << std::hex << i;
    ASSERT_EQ(float_to_bf16(value), reference_bf16(value)) << std::hex << i;
  }
}

TEST(DType, TiesRoundToEvenAndNeighboursRoundToNearest) {
  // Between every pair of adjacent finite halves (and adjacent BF16s), the exact midpoint is a float:
  // it must go to the even pattern, and one float step either side to the nearer one.
  for (std::uint16_t lo = 0; lo < 0x7BFF; ++lo) {
    const float a = f16_to_float(lo);
    const float b = f16_to_float(static_cast<std::uint16_t>(lo + 1));
    const float mid = (a + b) / 2;
    ASSERT_EQ(float_to_f16(mid), (lo & 1) ? lo + 1 : lo) << lo;
    ASSERT_EQ(float_to_f16(std::nextafter(mid, 0.0f)), lo) << lo;
    ASSERT_EQ(float_to_f16(std::nextafter(mid, std::numeric_limits<float>::infinity())), lo + 1) << lo;
    ASSERT_EQ(float_to_f16(-mid), 0x8000 | ((lo & 1) ? lo + 1 : lo)) << lo;
  }
  for (std::uint16_t lo = 0; lo < 0x7F7F; ++lo) {
    const double a = bf16_to_float(lo);
    const double b = bf16_to_float(static_cast<std::uint16_t>(lo + 1));
    const auto mid = static_cast<float>((a + b) / 2);  // exact: BF16 has 16 fewer mantissa bits
    ASSERT_EQ(float_to_bf16(mid), (lo & 1) ? lo + 1 : lo) << lo;
    ASSERT_EQ(float_to_bf16(std::nextafter(mid, 0.0f)), lo) << lo;
    ASSERT_EQ(float_to_bf16(std::nextafter(mid, std::numeric_limits<float>::infinity())), lo + 1) << lo;
  }
}

TEST(DType, SpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(float_to_f16(inf), 0x7C00);
  EXPECT_EQ(float_to_f16(-inf), 0xFC00);
  EXPECT_EQ(float_to_f16(65504.0f), 0x7BFF);
  EXPECT_EQ(float_to_f16(65519.99f), 0x7BFF);
  EXPECT_EQ(float_to_f16(65520.0f), 0x7C00);  // the tie past the largest half goes to infinity
  EXPECT_EQ(float_to_f16(-0.0f), 0x8000);
  EXPECT_EQ(float_to_f16(std::ldexp(1.0f, -24)), 0x0001);  // smallest subnormal half
  EXPECT_EQ(float_to_f16(std::ldexp(1.0f, -25)), 0x0000);  // half of it: tie to even zero
  EXPECT_EQ(float_to_f16(std::ldexp(1.5f, -25)), 0x0001);
  EXPECT_EQ(float_to_f16(std::ldexp(1023.0f, -24)), 0x03FF);  // largest subnormal
  EXPECT_EQ(float_to_f16(std::ldexp(1023.5f, -24)), 0x0400);  // rounds up into the normals
  EXPECT_EQ(float_to_f16(std::numeric_limits<float>::denorm_min()), 0x0000);
  EXPECT_EQ(f16_to_float(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(f16_to_float(0x3C00), 1.0f);
  EXPECT_EQ(f16_to_float(0xC000), -2.0f);

  EXPECT_EQ(float_to_bf16(inf), 0x7F80);
  EXPECT_EQ(float_to_bf16(std::numeric_limits<float>::max()), 0x7F80);  // rounds past the largest BF16
  EXPECT_EQ(float_to_bf16(std::numeric_limits<float>::denorm_min()), 0x0000);
  EXPECT_EQ(float_to_bf16(std::ldexp(1.0f, -133)), 0x0001);  // BF16 keeps float's subnormals
  EXPECT_EQ(bf16_to_float(0x3F80), 1.0f);
  EXPECT_EQ(float_to_bf16(-0.0f), 0x8000);

  // NaN stays NaN, keeps its sign, and comes out quiet even from a signalling NaN whose payload
  // lives only in the low bits that narrowing drops.
  const float signalling = std::bit_cast<float>(0xFF800001u);
  EXPECT_EQ(float_to_bf16(signalling), 0xFFC0);
  EXPECT_EQ(float_to_f16(signalling), 0xFE00);
  EXPECT_TRUE(std::isnan(bf16_to_float(float_to_bf16(nan))));
  EXPECT_TRUE(std::isnan(f16_to_float(float_to_f16(nan))));
  EXPECT_TRUE(std::isnan(f16_to_float(0x7E00)));
  EXPECT_EQ(f16_to_float(0x7C00), inf);
}

TEST(DType, ConvertsUnalignedArrays) {
  const float values[] = {1.0f, -0.5f, 3.25f};
  unsigned char buffer[1 + 3 * 4];
  std::memcpy(buffer + 1, values, sizeof(values));  // deliberately misaligned, as in a safetensors file
  float out[3];
  convert_to_float(DType::kF32, reinterpret_cast<const std::byte*>(buffer + 1), 3, out);
  EXPECT_EQ(std::memcmp(out, values, sizeof(values)), 0);

  const std::uint16_t halves[] = {float_to_f16(1.0f), float_to_f16(-0.5f), float_to_f16(3.25f)};
  std::memcpy(buffer + 1, halves, sizeof(halves));
  convert_to_float(DType::kF16, reinterpret_cast<const std::byte*>(buffer + 1), 3, out);
  EXPECT_EQ(out[2], 3.25f);
  const std::uint16_t brains[] = {float_to_bf16(1.0f), float_to_bf16(-0.5f), float_to_bf16(3.25f)};
  std::memcpy(buffer + 1, brains, sizeof(brains));
  convert_to_float(DType::kBF16, reinterpret_cast<const std::byte*>(buffer + 1), 3, out);
  EXPECT_EQ(out[1], -0.5f);
  convert_to_float(DType::kBF16, nullptr, 0, nullptr);  // empty: touches nothing
}

}  // namespace
}  // namespace qwenrt
