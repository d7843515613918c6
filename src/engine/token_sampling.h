// How a backend that chooses tokens on its own device (the GPU: only ids cross back to the host)
// samples one row of logits: the request's sampling parameters, the uniform number of this step's
// draw (drawn by the host's seeded stream, so a seed gives the same draws on every path), and the
// tokens its penalties count.
#pragma once

#include <cstdint>
#include <span>

#include "tokenizer/tokenizer.h"

namespace qwenrt::engine {

using tokenizer::TokenId;

// A token a sequence has seen: in its prompt or output (the repetition penalty counts every one) and
// how often it was generated (the presence and frequency penalties count those).
struct SeenToken {
  TokenId id;
  std::uint32_t generated;
};

struct TokenSampling {
  float temperature = 0.0f;  // 0: greedy
  std::int32_t top_k = 0;    // 0: off
  float top_p = 1.0f;
  float min_p = 0.0f;
  float repetition_penalty = 1.0f;
  float presence_penalty = 0.0f;
  float frequency_penalty = 0.0f;
  double uniform = 0.0;  // in [0, 1)
  std::span<const SeenToken> seen;
  // The host samples this row itself (it needs the raw logits, e.g. for logprobs): its logits come
  // back instead of an id.
  bool host_logits = false;
};

// Ids a device-sampled row gets instead of a token when it cannot be sampled.
inline constexpr TokenId kSampledNoToken = -3;   // a host_logits row
inline constexpr TokenId kSampledAllMasked = -1;  // every logit is -inf after the penalties
inline constexpr TokenId kSampledNotFinite = -2;  // a logit is NaN or +inf: the forward pass broke

}  // namespace qwenrt::engine
