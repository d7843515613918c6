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
using testing::make_stored_matrix;
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

void check_matmul(ThreadPool& pool, DType dtype, const Shape& s, bool with_bias, std::mt19937& rng) {
  SCOPED_TRACE(::testing::Message() << dtype_name(dtype) << " m=" << s.m << " n=" << s.n << " k=" << s.k
                                    << (with_bias ? " bias" : "") << " threads=" << pool.size());
  const StoredMatrix w = make_stored_matrix(rng, dtype, s.n, s.k);
  const std::vector<float> x = random_floats(rng, s.m * s.k);
  const std::vector<float> bias = with_bias ? random_floats(rng, s.n) : std::vector<float>{};
  std::vector<float> y(s.m * s.n, std::nanf(""));
  matmul(pool, s.m, x, w.view(), bias, y);
  for (std::size_t i = 0; i < s.m; ++i) {
    for (std::size_t j = 0; j < s.n; ++j) {
      // Products of two floats are exact in double, and a double sum of at most a few thousand
      // of them is far more accurate than the float result it checks.
      double exact = with_bias ? bias[j] : 0.0;
      double absolute = std::fabs(exact);
      for (std::size_t kk = 0; kk < s.k; ++kk) {
        const double term = static_cast<double>(x[i * s.k + kk]) * w.values[j * s.k + kk];
        exact += term;
        absolute += std::fabs(term);
      }
      ASSERT_NEAR(y[i * s.n + j], exact, error_bound(s.k, absolute)) << "at row " << i << ", column " << j;
    }
  }
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

QWENRT_INSTANTIATE_FOR_SIMD_LEVELS(MatmulTest);

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
