#include "runtime/step_profile.h"

#include <bit>

#include "core/error.h"

namespace qwenrt::runtime {

std::size_t StepProfile::bucket_of(std::size_t sequences) {
  if (sequences == 0) fail("StepProfile: a step has at least one sequence");
  const std::size_t b = std::bit_width(sequences) - 1;
  return b < kBuckets ? b : kBuckets - 1;
}

void StepProfile::add(std::size_t sequences, std::size_t tokens, double seconds) {
  if (tokens < sequences) fail("StepProfile: a step of ", sequences, " sequences computes ", tokens, " tokens");
  StepSizeBucket& b = (tokens == sequences ? decode_only_ : with_prompts_)[bucket_of(sequences)];
  ++b.steps;
  b.tokens += tokens;
  b.seconds += seconds;
}

void StepProfile::subtract(const StepProfile& earlier) {
  const auto minus = [](std::array<StepSizeBucket, kBuckets>& now, const std::array<StepSizeBucket, kBuckets>& then) {
    for (std::size_t b = 0; b < kBuckets; ++b) {
      if (then[b].steps > now[b].steps || then[b].tokens > now[b].tokens) {
        fail("StepProfile::subtract: the earlier profile has more steps than this one");
      }
      now[b].steps -= then[b].steps;
      now[b].tokens -= then[b].tokens;
      now[b].seconds -= then[b].seconds;
    }
  };
  minus(decode_only_, earlier.decode_only_);
  minus(with_prompts_, earlier.with_prompts_);
}

}  // namespace qwenrt::runtime
