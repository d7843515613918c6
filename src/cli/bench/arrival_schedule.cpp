#include "cli/bench/arrival_schedule.h"

#include <cmath>

#include "cli/bench/random_draws.h"
#include "core/error.h"

namespace qwenrt::bench {

std::vector<double> poisson_arrival_times(std::size_t n, double rate, std::uint64_t seed) {
  if (!(rate > 0)) fail("--request-rate must be positive or inf, got ", rate);
  std::vector<double> times(n, 0.0);
  if (std::isinf(rate)) return times;
  runtime::RandomStream random(seed);
  for (std::size_t i = 1; i < n; ++i) times[i] = times[i - 1] + exponential(random, rate);
  return times;
}

}  // namespace qwenrt::bench
