// The engine's steps by size (runtime::StepProfile) as a benchmark reports them: where a run's time
// went between big steps and small ones, and between steps with prompt tokens and decode-only steps.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>

#include "runtime/step_profile.h"

namespace qwenrt::bench {

// The non-empty buckets, steps with prompts first, each {"steps_with": "prompts" or "decode only",
// "sequences": "256-511", "steps", "tokens", "seconds", "ms_per_step", "tokens_per_s"}.
nlohmann::ordered_json step_profile_json(const runtime::StepProfile& profile);

// The same as a table under a banner.
void print_step_profile(std::ostream& out, const nlohmann::ordered_json& profile);

}  // namespace qwenrt::bench
