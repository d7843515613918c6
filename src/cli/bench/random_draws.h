// The random draws the benchmarks make from a seed (shuffles, lengths, arrival gaps), built by hand on
// runtime::RandomStream because the standard distributions give different numbers under different
// standard libraries, and a seed must give the same requests on every machine that runs a comparison.
#pragma once

#include <cstddef>
#include <vector>

#include "runtime/random_stream.h"

namespace qwenrt::bench {

// Uniform on {0, ..., n - 1}; n > 0.
std::size_t uniform_index(runtime::RandomStream& random, std::size_t n);

// Standard normal (Box-Muller).
double standard_normal(runtime::RandomStream& random);

// Exponential with the given rate (mean 1 / rate); rate > 0.
double exponential(runtime::RandomStream& random, double rate);

// Fisher-Yates: every order equally likely.
template <typename T>
void shuffle(std::vector<T>& items, runtime::RandomStream& random) {
  for (std::size_t i = items.size(); i > 1; --i) {
    std::swap(items[i - 1], items[uniform_index(random, i)]);
  }
}

}  // namespace qwenrt::bench
