// When the serving benchmark sends each request, as vLLM's benchmark_serving.py does: the first at
// once, each next one after a gap drawn from an exponential distribution of mean 1 / rate (a Poisson
// process of that rate), or every one at once for an infinite rate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace qwenrt::bench {

// Seconds after the start at which each of n requests is sent; rate in requests per second, > 0 or
// infinity. The same seed gives the same times everywhere.
std::vector<double> poisson_arrival_times(std::size_t n, double rate, std::uint64_t seed);

}  // namespace qwenrt::bench
