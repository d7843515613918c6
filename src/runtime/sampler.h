// Chooses each next token of one sequence from the model's logits, in Hugging Face's order:
// repetition penalty, presence and frequency penalties, then temperature, top-k, top-p and min-p, then
// a draw from the softmax of what is left (or, at temperature 0, the argmax). Each step is a few
// linear passes over the vocabulary, with no sorting.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "engine/token_sampling.h"
#include "runtime/random_stream.h"
#include "runtime/sampling_params.h"
#include "runtime/sequence_penalty_state.h"
#include "runtime/token_logprobs.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::runtime {

// Temperatures below this decode greedily, as in vLLM (its _SAMPLING_EPS): the distribution is a
// point mass to within rounding anyway, and logit / temperature stays far from overflowing.
inline constexpr double kGreedyBelowTemperature = 1e-5;

struct SampledToken {
  tokenizer::TokenId id;
  // Present when the params ask for logprobs: the model's raw log-probabilities (token_logprobs.h).
  std::optional<TokenLogprobs> logprobs;
};

struct TokenProbability {
  tokenizer::TokenId id;
  double probability;
};

// One per sequence: it holds the sequence's penalty counts and random stream (a few bytes per distinct
// token). The buffers a step works in are per thread, shared by every sampler on that thread.
class Sampler {
 public:
  // prompt: the ids the repetition penalty counts besides the generated ones. Throws Error when params
  // fail validate() or the prompt holds a negative id.
  Sampler(SamplingParams params, std::span<const tokenizer::TokenId> prompt);

  // Chooses the next token from one row of logits (one per vocabulary id) and records it: the next
  // call penalises it and draws the next random number. Throws Error when logits is empty, holds NaN
  // or +inf, masks every token (-inf), or is too short for an id the penalties have seen.
  SampledToken sample(std::span<const float> logits);

  // The tokens sample() would choose among now, by id, with their probabilities after every penalty
  // and filter; its draw takes the first whose cumulative probability exceeds a uniform number from
  // the seed's RandomStream. Greedy gives the argmax alone with probability 1. Records nothing.
  std::vector<TokenProbability> distribution(std::span<const float> logits) const;

  // The same choice made on a backend's device (engine/token_sampling.h): the row describing it,
  // with the uniform number sample() would draw now (drawn here, so the stream advances as on the
  // host). Params asking for logprobs need the raw logits: their row asks for them instead.
  engine::TokenSampling device_row();
  // What the device made of device_row() (an id, or a kSampled* code): the token, recorded as
  // sample() records its own. A host_logits row is sampled here from host_logits, its logits. Throws
  // Error for the codes of rows that could not be sampled.
  SampledToken from_device(tokenizer::TokenId device_choice, std::span<const float> host_logits);

  const SamplingParams& params() const { return params_; }
  // The seed in use, params.seed or the one drawn for it, so that a run can be replayed.
  std::uint64_t seed() const { return seed_; }
  const SequencePenaltyState& penalties() const { return penalties_; }

 private:
  SamplingParams params_;
  std::uint64_t seed_;
  RandomStream random_;
  SequencePenaltyState penalties_;
};

}  // namespace qwenrt::runtime
