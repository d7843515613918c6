#include "kernels/cpu/matmul.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <tuple>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"
#include "cpu_test_support.h"

namespace qwenrt::cpu {
namespace {

using testing::kFloatUnitRoundoff;
using testing::make_quantized_matrix;
using testing::make_stored_matrix;
using testing::QuantizedMatrix;
using testing::random_floats;
using testing::StoredMatrix;

struct Shape {
  std::size_t m, n, k;
};

// Decode (m = 1), the register-tile row counts of each level and one past them, and prefill sizes that
// cross the cache blocks of the blocked path (64 rows, 1024 columns of k); odd n and k throughout so
// that every vector and tile tail is taken.
const Shape kShapes[] = {
    {1, 1, 1},    {1, 37, 67},   {1, 5, 1100},  {1, 301, 257}, {2, 37, 15},  {3, 37, 67},
    {6, 9, 33},   {7, 37, 67},   {17, 37, 1100}, {17, 301, 257}, {70, 13, 67}, {130, 37, 1100},
};

// Every summation order has error at most gamma_d = d u / (1 - d u) times the sum of the absolute
// terms, with d the depth of the addition tree (Higham, Accuracy and Stability, 4.2). The kernels add
// k / W products per vector lane (W >= 4), reduce the W lanes (depth 2 to 4), add each k block of
// 1024 into y (which starts at the bias) and round each product once more: depth <= k/4 + 2 (k/1024 + 1) + 6.
double error_bound(std::size_t k, double absolute_terms) {
  const double depth = static_cast<double>(k) / 4 + 2 * (static_cast<double>(k) / 1024 + 1) + 6;
  const double gamma = depth * kFloatUnitRoundoff / (1 - depth * kFloatUnitRoundoff);
  return gamma * absolute_terms;
}

// matmul with the weights w, whose elements stand for values, against a double-precision product.
void check_matmul(ThreadPool& pool, const WeightMatrix& w, const std::vector<float>& values, std::size_t m,
                  bool with_bias, std::mt19937& rng) {
  const Shape s{m, w.rows, w.cols};
  SCOPED_TRACE(::testing::Message() << "m=" << s.m << " n=" << s.n << " k=" << s.k << (with_bias ? " bias" : "")
                                    << " threads=" << pool.size());
  const std::vector<float> x = random_floats(rng, s.m * s.k);
  const std::vector<float> bias = with_bias ? random_floats(rng, s.n) : std::vector<float>{};
  std::vector<float> y(s.m * s.n, std::nanf(""));
  matmul(pool, s.m, x, w, bias, y);
  for (std::size_t i = 0; i < s.m; ++i) {
    for (std::size_t j = 0; j < s.n; ++j) {
      // Products of two floats are exact in double, and a double sum of at most a few thousand
      // of them is far more accurate than the float result it checks.
      double exact = with_bias ? bias[j] : 0.0;
      double absolute = std::fabs(exact);
      for (std::size_t kk = 0; kk < s.k; ++kk) {
        const double term = static_cast<double>(x[i * s.k + kk]) * values[j * s.k + kk];
        exact += term;
        absolute += std::fabs(term);
      }
      ASSERT_NEAR(y[i * s.n + j], exact, error_bound(s.k, absolute)) << "at row " << i << ", column " << j;
    }
  }
}

void check_matmul(ThreadPool& pool, DType dtype, const Shape& s, bool with_bias, std::mt19937& rng) {
  SCOPED_TRACE(dtype_name(dtype));
  const StoredMatrix w = make_stored_matrix(rng, dtype, s.n, s.k);
  check_matmul(pool, w.view(), w.values, s.m, with_bias, rng);
}

class MatmulTest : public testing::SimdLevelTest {};

TEST_P(MatmulTest, MatchesDoublePrecisionReferenceForEveryShapeAndType) {
  ThreadPool pool(3);
  std::mt19937 rng(1234);
  for (const DType dtype : {DType::kF32, DType::kBF16, DType::kF16}) {
    for (const Shape& shape : kShapes) {
      for (const bool with_bias : {false, true}) check_matmul(pool, dtype, shape, with_bias, rng);
    }
  }
}

TEST_P(MatmulTest, MatchesTheReferenceOnASingleThreadPool) {
  // A pool of one runs every split inline; the partitioning must still cover each output once.
  ThreadPool pool(1);
  std::mt19937 rng(99);
  for (const Shape& shape : {Shape{1, 301, 257}, Shape{17, 37, 1100}, Shape{130, 37, 1100}}) {
    check_matmul(pool, DType::kBF16, shape, true, rng);
  }
}

TEST_P(MatmulTest, QuantizedWeightsGiveTheProductOfTheValuesTheirCodesStandFor) {
  // Even k throughout (int4 packs two codes a byte); groups that do not divide k, so the last group
  // of a row is short; k past the 1024-column blocks, whose edges fall inside a group of 96.
  const Shape shapes[] = {{1, 37, 68}, {1, 5, 1100}, {2, 301, 258}, {7, 37, 2050}, {17, 37, 1100}, {130, 13, 258}};
  ThreadPool pool(3);
  std::mt19937 rng(77);
  for (const Shape& shape : shapes) {
    const QuantizedMatrix int8 = make_quantized_matrix(rng, WeightQuantization::kInt8, shape.n, shape.k);
    check_matmul(pool, int8.view(), int8.values, shape.m, true, rng);
    for (const std::size_t group_size : {std::size_t{96}, std::size_t{128}}) {
      SCOPED_TRACE(::testing::Message() << "int4, groups of " << group_size);
      const QuantizedMatrix int4 = make_quantized_matrix(rng, WeightQuantization::kInt4, shape.n, shape.k, group_size);
      check_matmul(pool, int4.view(), int4.values, shape.m, shape.m % 2 == 0, rng);
    }
  }
}

QWENRT_INSTANTIATE_FOR_SIMD_LEVELS(MatmulTest);

TEST(Matmul, RejectsQuantizedWeightsItCannotRead) {
  ThreadPool pool(1);
  std::mt19937 rng(5);
  const QuantizedMatrix q = make_quantized_matrix(rng, WeightQuantization::kInt4, 4, 64, 32);
  const std::vector<float> x(64, 1.0f);
  std::vector<float> y(4);
  WeightMatrix no_scales = q.view();
  no_scales.scales = nullptr;
  EXPECT_THROW(matmul(pool, 1, x, no_scales, {}, y), Error);
  WeightMatrix no_zeros = q.view();
  no_zeros.zeros = nullptr;
  EXPECT_THROW(matmul(pool, 1, x, no_zeros, {}, y), Error);
  WeightMatrix odd_groups = q.view();
  odd_groups.group_size = 33;
  EXPECT_THROW(matmul(pool, 1, x, odd_groups, {}, y), Error);
}

TEST(Matmul, RejectsInconsistentSizes) {
  ThreadPool pool(2);
  std::mt19937 rng(7);
  const StoredMatrix w = make_stored_matrix(rng, DType::kBF16, 4, 3);
  std::vector<float> x(6);
  std::vector<float> y(8);
  EXPECT_THROW(matmul(pool, 2, std::span<const float>(x).first(5), w.view(), {}, y), Error);
  EXPECT_THROW(matmul(pool, 2, x, w.view(), {}, std::span<float>(y).first(7)), Error);
  std::vector<float> short_bias(3);
  EXPECT_THROW(matmul(pool, 2, x, w.view(), short_bias, y), Error);
  WeightMatrix empty = w.view();
  empty.data = nullptr;
  EXPECT_THROW(matmul(pool, 2, x, empty, {}, y), Error);
  std::vector<float> shared(16);
  EXPECT_THROW(matmul(pool, 2, std::span<const float>(shared).first(6), w.view(), {},
                      std::span<float>(shared).subspan(4, 8)),
               Error);
  try {
    matmul(pool, 2, std::span<const float>(x).first(5), w.view(), {}, y);
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "matmul: x has 5 values, expected 6");
  }
}

TEST(Matmul, ZeroRowsIsANoOp) {
  ThreadPool pool(2);
  std::mt19937 rng(8);
  const StoredMatrix w = make_stored_matrix(rng, DType::kF32, 4, 3);
  EXPECT_NO_THROW(matmul(pool, 0, {}, w.view(), {}, {}));
}

}  // namespace
}  // namespace qwenrt::cpu
