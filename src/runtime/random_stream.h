// The random numbers sampling draws from: SplitMix64 (Steele, Lea and Flood 2014), a counter-based
// generator whose n-th output is a fixed function of the seed and n. It is defined here bit for bit,
// with the conversion to [0, 1) done by hand, because std::uniform_real_distribution and its kin give
// different numbers under different standard libraries, and a seed must give the same tokens on every
// platform. Eight bytes of state keep a sequence's sampler cheap to hold by the thousand.
#pragma once

#include <cstdint>

namespace qwenrt::runtime {

class RandomStream {
 public:
  explicit RandomStream(std::uint64_t seed) : state_(seed) {}

  // A seed from the operating system's entropy, for requests that give none.
  static std::uint64_t fresh_seed();

  std::uint64_t next_u64();
  // Uniform on [0, 1): the top 53 bits of next_u64() as a double, every value a multiple of 2^-53.
  double next_uniform();

 private:
  std::uint64_t state_;
};

}  // namespace qwenrt::runtime
