// Rotary embedding (rotate-half layout, partial rotary) and Qwen v1's dynamic-NTK and logn helpers.
#include "kernels/cpu/rotary.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"
#include "cpu_test_support.h"
#include "kernels/cpu/qwen_v1_scaling.h"

namespace qwenrt::cpu {
namespace {

using testing::kFloatUnitRoundoff;
using testing::random_floats;

// x' = x cos + rotate_half(x) sin over the first rotary_dim dimensions, in double, for given angles.
std::vector<double> reference_rotation(const std::vector<float>& x, std::size_t heads, std::size_t head_dim,
                                       std::size_t rotary_dim, const std::vector<std::vector<double>>& angles) {
  std::vector<double> out(x.begin(), x.end());
  const std::size_t half = rotary_dim / 2;
  for (std::size_t t = 0; t < angles.size(); ++t) {
    for (std::size_t h = 0; h < heads; ++h) {
      const std::size_t base = (t * heads + h) * head_dim;
      for (std::size_t i = 0; i < half; ++i) {
        const double a = x[base + i];
        const double b = x[base + half + i];
        out[base + i] = a * std::cos(angles[t][i]) - b * std::sin(angles[t][i]);
        out[base + half + i] = b * std::cos(angles[t][i]) + a * std::sin(angles[t][i]);
      }
    }
  }
  return out;
}

TEST(Rotary, InverseFrequenciesFollowTheFloat32Recipe) {
  const RotaryEmbedding rope(64, 1000000.0);
  ASSERT_EQ(rope.inverse_frequencies().size(), 32u);
  EXPECT_EQ(rope.inverse_frequencies()[0], 1.0f);
  for (std::size_t i = 0; i < 32; ++i) {
    const double exact = std::pow(1000000.0, -static_cast<double>(2 * i) / 64.0);
    // float exponent, float power and float reciprocal: a few ulps from the exact value.
    EXPECT_NEAR(rope.inverse_frequencies()[i], exact, 4 * kFloatUnitRoundoff * exact) << i;
  }
}

TEST(Rotary, MatchesReferenceWithPartialRotaryAndLongPositions) {
  ThreadPool pool(3);
  std::mt19937 rng(11);
  for (const auto& [head_dim, rotary_dim] : {std::pair<std::size_t, std::size_t>{64, 64}, {128, 128}, {40, 16}, {24, 2}}) {
    SCOPED_TRACE(::testing::Message() << "head_dim " << head_dim << " rotary_dim " << rotary_dim);
    const RotaryEmbedding rope(rotary_dim, 10000.0);
    const std::vector<std::int32_t> positions = {0, 1, 7, 2047, 2048, 32767, 131071, 5};
    const std::size_t heads = 3;
    std::vector<float> x = random_floats(rng, positions.size() * heads * head_dim, -2.0f, 2.0f);
    const std::vector<float> original = x;
    RotaryAngles angles;
    rope.compute_angles(positions, angles);
    apply_rotary(pool, angles, x, heads, head_dim);

    // The documented angle: position * inv_freq rounded to float, as the reference implementations
    // produce it; the rotation itself then in double.
    std::vector<std::vector<double>> exact_angles;
    for (const std::int32_t p : positions) {
      std::vector<double> row;
      for (const float f : rope.inverse_frequencies()) row.push_back(static_cast<float>(p) * f);
      exact_angles.push_back(row);
    }
    const std::vector<double> expected = reference_rotation(original, heads, head_dim, rotary_dim, exact_angles);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const std::size_t dim = i % head_dim;
      if (dim >= rotary_dim) {
        ASSERT_EQ(x[i], original[i]) << "dimension " << dim << " is past rotary_dim and must not change";
        continue;
      }
      // cos and sin are rounded once each, the two products and the sum once each: each output errs by
      // at most about 3 u times |a| + |b| of its pair.
      const std::size_t half = rotary_dim / 2;
      const std::size_t pair = dim < half ? i + half : i - half;
      const double scale = std::fabs(original[i]) + std::fabs(original[pair]);
      ASSERT_NEAR(x[i], expected[i], 4 * kFloatUnitRoundoff * scale) << "element " << i;
    }
    // Position 0 does not rotate: cos 0 = 1 and sin 0 = 0 exactly.
    for (std::size_t i = 0; i < heads * head_dim; ++i) ASSERT_EQ(x[i], original[i]);
  }
}

TEST(Rotary, SmallPositionsAgreeWithExactAngles) {
  // Below 2^24 / inv_freq the float angle is the exact product up to one rounding; for small positions
  // the result must agree with angles computed wholly in double.
  ThreadPool pool(1);
  std::mt19937 rng(12);
  const RotaryEmbedding rope(128, 1000000.0);
  const std::vector<std::int32_t> positions = {3, 100, 1000};
  std::vector<float> x = random_floats(rng, positions.size() * 128);
  const std::vector<float> original = x;
  RotaryAngles angles;
  rope.compute_angles(positions, angles);
  apply_rotary(pool, angles, x, 1, 128);
  std::vector<std::vector<double>> exact_angles;
  for (const std::int32_t p : positions) {
    std::vector<double> row;
    for (std::size_t i = 0; i < 64; ++i) row.push_back(p * std::pow(1000000.0, -static_cast<double>(2 * i) / 128.0));
    exact_angles.push_back(row);
  }
  const std::vector<double> expected = reference_rotation(original, 1, 128, 128, exact_angles);
  for (std::size_t t = 0; t < positions.size(); ++t) {
    for (std::size_t i = 0; i < 128; ++i) {
      // inv_freq is within 4 u of exact (see above) and the float product adds u, so the angle is off by
      // at most 5 u times itself; the rotation then moves by that angle times |a| + |b|, plus 4 u for
      // the arithmetic as in the test above.
      const std::size_t element = t * 128 + i;
      const std::size_t pair = i < 64 ? element + 64 : element - 64;
      const double scale = std::fabs(original[element]) + std::fabs(original[pair]);
      const double angle = exact_angles[t][i % 64];
      ASSERT_NEAR(x[element], expected[element], (5 * angle + 4) * kFloatUnitRoundoff * scale) << element;
    }
  }
}

TEST(Rotary, RejectsBadArguments) {
  EXPECT_THROW(RotaryEmbedding(0, 10000.0), Error);
  EXPECT_THROW(RotaryEmbedding(7, 10000.0), Error);
  EXPECT_THROW(RotaryEmbedding(64, 0.5), Error);
  EXPECT_THROW(RotaryEmbedding(64, std::nan("")), Error);
  const RotaryEmbedding rope(64, 10000.0);
  RotaryAngles angles;
  EXPECT_THROW(rope.compute_angles(std::vector<std::int32_t>{1, -2}, angles), Error);
  rope.compute_angles(std::vector<std::int32_t>{1, 2}, angles);
  ThreadPool pool(1);
  std::vector<float> x(2 * 2 * 48);
  EXPECT_THROW(apply_rotary(pool, angles, x, 2, 48), Error);  // rotary_dim 64 > head_dim 48
  std::vector<float> wrong(2 * 2 * 64 - 1);
  EXPECT_THROW(apply_rotary(pool, angles, wrong, 2, 64), Error);
}

TEST(QwenV1Scaling, NtkAlphaDoublesItsRangeEachStep) {
  EXPECT_EQ(qwen_v1_ntk_alpha(1, 2048), 1.0);
  EXPECT_EQ(qwen_v1_ntk_alpha(2048, 2048), 1.0);
  EXPECT_EQ(qwen_v1_ntk_alpha(2049, 2048), 3.0);
  EXPECT_EQ(qwen_v1_ntk_alpha(4096, 2048), 3.0);
  EXPECT_EQ(qwen_v1_ntk_alpha(4097, 2048), 7.0);
  EXPECT_EQ(qwen_v1_ntk_alpha(8192, 2048), 7.0);
  EXPECT_EQ(qwen_v1_ntk_alpha(8193, 2048), 15.0);
  EXPECT_EQ(qwen_v1_ntk_alpha(32768, 8192), 7.0);
  EXPECT_THROW(qwen_v1_ntk_alpha(10, 0), Error);
}

TEST(QwenV1Scaling, NtkBaseScalesByAlphaToTheDimOverDimMinusTwo) {
  EXPECT_EQ(qwen_v1_ntk_base(10000.0, 128, 1.0), 10000.0);
  EXPECT_DOUBLE_EQ(qwen_v1_ntk_base(10000.0, 128, 3.0), 10000.0 * std::pow(3.0, 128.0 / 126.0));
  EXPECT_THROW(qwen_v1_ntk_base(10000.0, 2, 3.0), Error);
}

TEST(QwenV1Scaling, LognScaleStartsPastTheTrainingLength) {
  EXPECT_EQ(qwen_v1_logn_scale(0, 2048), 1.0f);
  EXPECT_EQ(qwen_v1_logn_scale(2047, 2048), 1.0f);  // logn_list[2047] is for i = 2048, not > 2048
  EXPECT_EQ(qwen_v1_logn_scale(2048, 2048), static_cast<float>(std::log(2049.0) / std::log(2048.0)));
  EXPECT_EQ(qwen_v1_logn_scale(8191, 2048), static_cast<float>(std::log(8192.0) / std::log(2048.0)));
  EXPECT_THROW(qwen_v1_logn_scale(5, 1), Error);
}

}  // namespace
}  // namespace qwenrt::cpu
