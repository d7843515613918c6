// Poisson arrivals: seeded, starting at once, with exponential gaps whose mean is 1 / rate.
#include "cli/bench/arrival_schedule.h"

#include <gtest/gtest.h>

#include <cmath>

#include "bench_test_support.h"

namespace qwenrt::bench {
namespace {

TEST(ArrivalSchedule, AnInfiniteRateSendsEverythingAtOnce) {
  EXPECT_EQ(poisson_arrival_times(5, INFINITY, 0), std::vector<double>(5, 0.0));
}

TEST(ArrivalSchedule, GapsAreExponentialWithMeanOneOverTheRate) {
  const std::size_t n = 20000;
  const double rate = 4;
  const std::vector<double> t = poisson_arrival_times(n, rate, 11);
  ASSERT_EQ(t.size(), n);
  EXPECT_EQ(t[0], 0);
  std::vector<double> gaps;
  for (std::size_t i = 1; i < n; ++i) gaps.push_back(t[i] - t[i - 1]);
  double sum = 0, sum_sq = 0;
  std::size_t over_mean = 0;
  for (double g : gaps) {
    ASSERT_GE(g, 0);
    sum += g;
    sum_sq += g * g;
    over_mean += g > 1 / rate ? 1 : 0;
  }
  const double mean = sum / static_cast<double>(gaps.size());
  const double sd = std::sqrt(sum_sq / static_cast<double>(gaps.size()) - mean * mean);
  // An exponential's standard deviation equals its mean, and e^-1 of its mass lies above the mean.
  // Standard errors at this n: 0.7% for the mean, about 1% for the deviation, 0.3 points for the share.
  EXPECT_NEAR(mean, 0.25, 0.25 * 0.03);
  EXPECT_NEAR(sd, 0.25, 0.25 * 0.04);
  EXPECT_NEAR(static_cast<double>(over_mean) / static_cast<double>(gaps.size()), std::exp(-1.0), 0.015);
}

TEST(ArrivalSchedule, TheSeedFixesTheTimes) {
  EXPECT_EQ(poisson_arrival_times(50, 2, 3), poisson_arrival_times(50, 2, 3));
  EXPECT_NE(poisson_arrival_times(50, 2, 3), poisson_arrival_times(50, 2, 4));
  EXPECT_TRUE(testing::throws_error_with([] { poisson_arrival_times(3, 0, 1); }, "--request-rate must be positive"));
  EXPECT_TRUE(testing::throws_error_with([] { poisson_arrival_times(3, -1, 1); }, "--request-rate must be positive"));
}

}  // namespace
}  // namespace qwenrt::bench
