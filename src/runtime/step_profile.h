// The engine's steps grouped by size, so that a benchmark can say where a run's time went: steps in
// which every sequence adds one token (decode only) apart from steps that also carry prompt tokens,
// each kind bucketed by the power of two at or below its sequence count (1, 2-3, 4-7, ...).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace qwenrt::runtime {

struct StepSizeBucket {
  std::uint64_t steps = 0;
  std::uint64_t tokens = 0;
  double seconds = 0;  // wall time of the steps: forward pass and host work
};

class StepProfile {
 public:
  static constexpr std::size_t kBuckets = 16;  // the last one takes every step of 2^15 sequences or more

  // A step of sequences (at least one) computing tokens (at least sequences) in seconds.
  void add(std::size_t sequences, std::size_t tokens, double seconds);

  // Leaves the steps added since earlier, an earlier copy of this profile.
  void subtract(const StepProfile& earlier);

  // Bucket b: steps of 2^b to 2^(b+1) - 1 sequences.
  const std::array<StepSizeBucket, kBuckets>& decode_only() const { return decode_only_; }
  const std::array<StepSizeBucket, kBuckets>& with_prompts() const { return with_prompts_; }

  static std::size_t bucket_of(std::size_t sequences);

 private:
  std::array<StepSizeBucket, kBuckets> decode_only_{};
  std::array<StepSizeBucket, kBuckets> with_prompts_{};
};

}  // namespace qwenrt::runtime
