#include "runtime/sampling_params.h"

#include <cmath>

#include "core/error.h"
#include "runtime/stop_strings.h"

namespace qwenrt::runtime {

namespace {

// Each check is written so that NaN fails it: a comparison with NaN is false.
void check_range(const char* field, double value, bool in_range, const char* range) {
  if (!in_range || std::isnan(value)) fail(field, ": must be ", range, ", got ", value);
}

}  // namespace

SamplingParams SamplingParams::from_generation_config(const model::GenerationConfig& generation) {
  SamplingParams params;
  params.temperature = generation.do_sample ? generation.temperature : 0.0;
  params.top_k = generation.top_k;
  params.top_p = generation.top_p;
  params.repetition_penalty = generation.repetition_penalty;
  params.max_new_tokens = generation.max_new_tokens;
  return params;
}

void SamplingParams::validate() const {
  check_range("temperature", temperature, temperature >= 0 && std::isfinite(temperature),
              "a finite number >= 0");
  check_range("top_p", top_p, top_p > 0 && top_p <= 1, "in (0, 1]");
  check_range("min_p", min_p, min_p >= 0 && min_p <= 1, "in [0, 1]");
  check_range("repetition_penalty", repetition_penalty,
              repetition_penalty > 0 && std::isfinite(repetition_penalty), "a finite number > 0");
  check_range("presence_penalty", presence_penalty, presence_penalty >= -2 && presence_penalty <= 2,
              "in [-2, 2]");
  check_range("frequency_penalty", frequency_penalty, frequency_penalty >= -2 && frequency_penalty <= 2,
              "in [-2, 2]");
  if (max_new_tokens && *max_new_tokens == 0) fail("max_new_tokens: must be at least 1, got 0");
  validate_stop_strings(stop);
  for (std::size_t i = 0; i < stop_token_ids.size(); ++i) {
    if (stop_token_ids[i] < 0) fail("stop_token_ids[", i, "]: must be >= 0, got ", stop_token_ids[i]);
  }
  if (logprobs && *logprobs > kMaxLogprobs) {
    fail("logprobs: must be in [0, ", kMaxLogprobs, "], got ", *logprobs);
  }
}

}  // namespace qwenrt::runtime
