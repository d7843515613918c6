// The log-probabilities an OpenAI response reports: the chosen token's and the N most likely tokens'.
// They are the log-softmax of the model's raw logits, before penalties, temperature and truncation,
// which is what vLLM returns by default (its logprobs_mode "raw_logprobs"): the model's own view of the
// text, the same whatever sampling settings produced it, so scoring and evaluation can compare runs.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace qwenrt::runtime {

struct TokenLogprob {
  tokenizer::TokenId id;
  float logprob;
};

struct TokenLogprobs {
  float chosen;                  // the chosen token's log-probability
  std::vector<TokenLogprob> top; // the top_n most likely, most likely first (ties: lower id first)
};

// Masked tokens (logit -inf) are never listed in top, so it may hold fewer than top_n entries.
// logits must be finite or -inf with at least one finite, and chosen inside them.
TokenLogprobs raw_logprobs(std::span<const float> logits, tokenizer::TokenId chosen, std::size_t top_n);

}  // namespace qwenrt::runtime
