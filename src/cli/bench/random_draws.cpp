#include "cli/bench/random_draws.h"

#include <cmath>
#include <numbers>

namespace qwenrt::bench {

std::size_t uniform_index(runtime::RandomStream& random, std::size_t n) {
  const auto i = static_cast<std::size_t>(random.next_uniform() * static_cast<double>(n));
  return i < n ? i : n - 1;  // guards the rounding of the product for very large n
}

double standard_normal(runtime::RandomStream& random) {
  // 1 - u lies in (0, 1], so the logarithm is finite.
  const double radius = std::sqrt(-2.0 * std::log(1.0 - random.next_uniform()));
  return radius * std::cos(2.0 * std::numbers::pi * random.next_uniform());
}

double exponential(runtime::RandomStream& random, double rate) {
  return -std::log(1.0 - random.next_uniform()) / rate;
}

}  // namespace qwenrt::bench
