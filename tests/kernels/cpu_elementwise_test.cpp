// RMSNorm, SwiGLU, add, embedding lookup, softmax and argmax against double-precision references.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"
#include "cpu_test_support.h"
#include "kernels/cpu/activation.h"
#include "kernels/cpu/embedding.h"
#include "kernels/cpu/logits.h"
#include "kernels/cpu/norm.h"

namespace qwenrt::cpu {
namespace {

using testing::kFloatUnitRoundoff;
using testing::random_floats;

constexpr float kInfinity = std::numeric_limits<float>::infinity();

// out = x / sqrt(mean(x^2) + eps) * w in double. The float kernel's sum of squares has the summation
// error of depth dim/4 + 4 (see cpu_matmul_test.cpp), halved by the square root, plus a handful of
// roundings for the mean, eps, sqrt, division and two products: relative error <= (dim/8 + 12) u.
void expect_rms_norm(std::span<const float> x, std::span<const float> weight, float eps, std::span<const float> out) {
  const std::size_t dim = weight.size();
  const double tolerance = (static_cast<double>(dim) / 8 + 12) * kFloatUnitRoundoff;
  for (std::size_t r = 0; r < x.size() / dim; ++r) {
    double squares = 0;
    for (std::size_t i = 0; i < dim; ++i) squares += static_cast<double>(x[r * dim + i]) * x[r * dim + i];
    const double inverse = 1.0 / std::sqrt(squares / static_cast<double>(dim) + eps);
    for (std::size_t i = 0; i < dim; ++i) {
      const double exact = x[r * dim + i] * inverse * weight[i];
      ASSERT_NEAR(out[r * dim + i], exact, tolerance * std::fabs(exact)) << "row " << r << " element " << i;
    }
  }
}

class ElementwiseTest : public testing::SimdLevelTest {};

TEST_P(ElementwiseTest, RmsNormMatchesReference) {
  ThreadPool pool(3);
  std::mt19937 rng(1);
  // A decode row, odd widths, and enough rows (3 x 17 x 896) to take the parallel path.
  for (const auto& [rows, dim] : {std::pair<std::size_t, std::size_t>{1, 896}, {3, 67}, {5, 1}, {51, 896}}) {
    SCOPED_TRACE(::testing::Message() << rows << " x " << dim);
    const std::vector<float> x = random_floats(rng, rows * dim, -3.0f, 3.0f);
    const std::vector<float> weight = random_floats(rng, dim, 0.5f, 1.5f);
    std::vector<float> out(x.size());
    rms_norm(pool, x, weight, 1e-6f, out);
    expect_rms_norm(x, weight, 1e-6f, out);
    std::vector<float> in_place = x;
    rms_norm(pool, in_place, weight, 1e-6f, in_place);
    EXPECT_EQ(in_place, out);
  }
}

TEST_P(ElementwiseTest, PerHeadRmsNormNormalisesEachHeadOnItsOwn) {
  // Qwen3's q_norm: [tokens, heads, head_dim] normalised over head_dim with one shared weight.
  ThreadPool pool(2);
  std::mt19937 rng(2);
  const std::size_t tokens = 3, heads = 5, head_dim = 24;
  std::vector<float> q = random_floats(rng, tokens * heads * head_dim, -4.0f, 4.0f);
  const std::vector<float> weight = random_floats(rng, head_dim, 0.5f, 1.5f);
  const std::vector<float> original = q;
  rms_norm(pool, q, weight, 1e-6f, q);
  expect_rms_norm(original, weight, 1e-6f, q);
}

TEST_P(ElementwiseTest, AddRmsNormKeepsTheSumAndNormalisesIt) {
  ThreadPool pool(3);
  std::mt19937 rng(3);
  for (const std::size_t rows : {1u, 40u}) {
    const std::size_t dim = 899;
    std::vector<float> x = random_floats(rng, rows * dim, -2.0f, 2.0f);
    const std::vector<float> residual = random_floats(rng, rows * dim, -2.0f, 2.0f);
    const std::vector<float> weight = random_floats(rng, dim, 0.5f, 1.5f);
    std::vector<float> expected_sum(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) expected_sum[i] = x[i] + residual[i];
    std::vector<float> out(x.size());
    add_rms_norm(pool, x, residual, weight, 1e-5f, out);
    EXPECT_EQ(x, expected_sum);  // a float add is exact to specify
    expect_rms_norm(x, weight, 1e-5f, out);
  }
}

TEST_P(ElementwiseTest, SiluMulMatchesReferenceIncludingExtremeGates) {
  ThreadPool pool(3);
  std::mt19937 rng(4);
  for (const std::size_t count : {1u, 7u, 4864u, 40001u}) {
    std::vector<float> gate = random_floats(rng, count, -20.0f, 20.0f);
    const std::vector<float> up = random_floats(rng, count, -2.0f, 2.0f);
    const float extremes[] = {0.0f, -0.0f, 100.0f, -100.0f, 88.5f, -88.5f, -87.0f, 1e-30f, -1e30f, 1e30f};
    for (std::size_t i = 0; i < count && i < std::size(extremes); ++i) gate[i * 3 % count] = extremes[i];
    std::vector<float> out(count);
    silu_mul(pool, gate, up, out);
    for (std::size_t i = 0; i < count; ++i) {
      const double g = gate[i];
      const double exact = g / (1.0 + std::exp(-g)) * up[i];
      // The vector exp is good to a few ulps and saturates near 2.4e38 (see vec_exp.h): the sigmoid of a
      // gate below -88 is then a tiny number instead of a tinier one, an absolute error under 1e-35
      // times the gate.
      const double tolerance = 8 * kFloatUnitRoundoff * std::fabs(exact) + 1e-35 * std::fabs(g);
      ASSERT_NEAR(out[i], exact, tolerance) << "gate " << gate[i] << " up " << up[i];
    }
    std::vector<float> in_place = gate;
    silu_mul(pool, in_place, up, in_place);
    EXPECT_EQ(in_place, out);
  }
}

TEST_P(ElementwiseTest, AddIsExact) {
  ThreadPool pool(3);
  std::mt19937 rng(5);
  for (const std::size_t count : {0u, 3u, 896u, 70001u}) {
    const std::vector<float> a = random_floats(rng, count);
    std::vector<float> b = random_floats(rng, count);
    std::vector<float> expected(count);
    for (std::size_t i = 0; i < count; ++i) expected[i] = a[i] + b[i];
    add(pool, a, b, b);
    EXPECT_EQ(b, expected);
  }
}

TEST_P(ElementwiseTest, EmbeddingLookupWidensTheRowsExactly) {
  std::mt19937 rng(6);
  for (const DType dtype : {DType::kF32, DType::kBF16, DType::kF16}) {
    const testing::StoredMatrix table = testing::make_stored_matrix(rng, dtype, 11, 67);
    const std::vector<std::int32_t> ids = {3, 0, 10, 3};
    std::vector<float> out(ids.size() * 67);
    embedding_lookup(table.view(), ids, out);
    for (std::size_t t = 0; t < ids.size(); ++t) {
      for (std::size_t i = 0; i < 67; ++i) {
        ASSERT_EQ(out[t * 67 + i], table.values[static_cast<std::size_t>(ids[t]) * 67 + i]) << dtype_name(dtype);
      }
    }
  }
}

TEST_P(ElementwiseTest, EmbeddingLookupOfQuantizedRowsGivesTheValuesOfTheirCodes) {
  std::mt19937 rng(16);
  const testing::QuantizedMatrix int8 = testing::make_quantized_matrix(rng, WeightQuantization::kInt8, 9, 70);
  const testing::QuantizedMatrix int4 = testing::make_quantized_matrix(rng, WeightQuantization::kInt4, 9, 70, 32);
  for (const testing::QuantizedMatrix* table : {&int8, &int4}) {
    const std::vector<std::int32_t> ids = {8, 0, 5};
    std::vector<float> out(ids.size() * 70);
    embedding_lookup(table->view(), ids, out);
    for (std::size_t t = 0; t < ids.size(); ++t) {
      for (std::size_t i = 0; i < 70; ++i) {
        ASSERT_EQ(out[t * 70 + i], table->values[static_cast<std::size_t>(ids[t]) * 70 + i])
            << weight_quantization_name(table->quantization) << " token " << t << " column " << i;
      }
    }
  }
}

TEST(EmbeddingLookup, RejectsQuantizedTablesItCannotRead) {
  std::mt19937 rng(17);
  const testing::QuantizedMatrix int4 = testing::make_quantized_matrix(rng, WeightQuantization::kInt4, 3, 70, 32);
  std::vector<float> out(70);
  WeightMatrix no_zeros = int4.view();
  no_zeros.zeros = nullptr;
  EXPECT_THROW(embedding_lookup(no_zeros, std::vector<std::int32_t>{1}, out), Error);
  WeightMatrix odd_groups = int4.view();
  odd_groups.group_size = 35;
  EXPECT_THROW(embedding_lookup(odd_groups, std::vector<std::int32_t>{1}, out), Error);
  WeightMatrix no_scales = int4.view();
  no_scales.scales = nullptr;
  EXPECT_THROW(embedding_lookup(no_scales, std::vector<std::int32_t>{1}, out), Error);
}

TEST_P(ElementwiseTest, SoftmaxMatchesReference) {
  std::mt19937 rng(7);
  for (const std::size_t count : {1u, 5u, 17u, 5003u, 151936u}) {
    std::vector<float> logits = random_floats(rng, count, -30.0f, 30.0f);
    if (count > 5) logits[4] = -kInfinity;
    std::vector<float> probabilities = logits;
    softmax(probabilities);
    double max = -kInfinity;
    for (const float v : logits) max = std::max(max, static_cast<double>(v));
    double sum = 0;
    for (const float v : logits) sum += std::exp(v - max);
    // The float difference x - max is off by up to u |x - max|, which exp turns into that relative
    // error; exp itself errs by a few ulps, the float sum by at most (count/4 + 4) u relative
    // (summation depth over vector lanes), and the final scaling rounds twice more.
    const double sum_tolerance = (static_cast<double>(count) / 4 + 16) * kFloatUnitRoundoff;
    for (std::size_t i = 0; i < count; ++i) {
      if (std::isinf(logits[i])) continue;  // checked below: exactly 0
      const double exact = std::exp(logits[i] - max) / sum;
      const double tolerance = sum_tolerance + std::fabs(logits[i] - max) * kFloatUnitRoundoff;
      ASSERT_NEAR(probabilities[i], exact, tolerance * exact + 1e-38) << "index " << i;
    }
    if (count > 5) {
      EXPECT_EQ(probabilities[4], 0.0f);
    }
  }
}

TEST_P(ElementwiseTest, SoftmaxOfHopelessRowsIsNan) {
  std::vector<float> masked(19, -kInfinity);
  softmax(masked);
  for (const float v : masked) EXPECT_TRUE(std::isnan(v));
  std::vector<float> poisoned = {1.0f, std::nanf(""), 2.0f, 0.5f, 3.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f,
                                 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f};
  softmax(poisoned);
  for (const float v : poisoned) EXPECT_TRUE(std::isnan(v));
}

QWENRT_INSTANTIATE_FOR_SIMD_LEVELS(ElementwiseTest);

TEST(Elementwise, ArgmaxTakesTheFirstMaximumAndTheFirstNan) {
  EXPECT_EQ(argmax(std::vector<float>{1.0f, 3.0f, 2.0f, 3.0f}), 1u);
  EXPECT_EQ(argmax(std::vector<float>{-kInfinity, -kInfinity}), 0u);
  EXPECT_EQ(argmax(std::vector<float>{5.0f}), 0u);
  EXPECT_EQ(argmax(std::vector<float>{1.0f, kInfinity, std::nanf(""), 9.0f, std::nanf("")}), 2u);
  EXPECT_THROW(argmax(std::vector<float>{}), Error);
}

TEST(Elementwise, RejectsBadArguments) {
  ThreadPool pool(2);
  std::vector<float> x(10), weight(4), out(10);
  EXPECT_THROW(rms_norm(pool, x, weight, 1e-6f, out), Error);  // 10 is not a multiple of 4
  std::vector<float> buffer(12);
  EXPECT_THROW(rms_norm(pool, std::span<const float>(buffer).first(8), std::span<const float>(weight),
                        1e-6f, std::span<float>(buffer).subspan(2, 8)),
               Error);
  EXPECT_THROW(silu_mul(pool, x, std::vector<float>(9), out), Error);
  EXPECT_THROW(softmax(std::span<float>{}), Error);

  std::mt19937 rng(8);
  const testing::StoredMatrix table = testing::make_stored_matrix(rng, DType::kBF16, 11, 4);
  std::vector<float> row(4);
  try {
    embedding_lookup(table.view(), std::vector<std::int32_t>{11}, row);
    FAIL() << "no error for an id past the vocabulary";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "embedding_lookup: token 0 has id 11, outside the vocabulary of 11 rows");
  }
  EXPECT_THROW(embedding_lookup(table.view(), std::vector<std::int32_t>{-1}, row), Error);
}

}  // namespace
}  // namespace qwenrt::cpu
