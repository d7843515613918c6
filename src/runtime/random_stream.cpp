#include "runtime/random_stream.h"

#include <random>

namespace qwenrt::runtime {

std::uint64_t RandomStream::fresh_seed() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

std::uint64_t RandomStream::next_u64() {
  // The state walks by the golden-ratio increment; the mix below (Stafford's variant 13 finaliser)
  // turns consecutive states into statistically independent outputs.
  state_ += 0x9E3779B97F4A7C15ULL;
  std::uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

double RandomStream::next_uniform() {
  return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

}  // namespace qwenrt::runtime
