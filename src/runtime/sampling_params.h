// How one request chooses its tokens and when it stops: the knobs of Hugging Face's generate() and of
// the OpenAI API (as vLLM implements them), in one struct the server fills from a request and the CLI
// from its flags, starting from the model's own defaults.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/generation_config.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::runtime {

struct SamplingParams {
  // Divides the logits before sampling. 0 (or below kGreedyBelowTemperature, sampler.h) means greedy
  // decoding: the highest-scoring token after the penalties below, with no randomness, so top_k,
  // top_p, min_p and seed have no effect.
  double temperature = 1.0;
  // Keep only the k highest-scoring tokens (and any tied with the k-th); 0 = off.
  std::size_t top_k = 0;
  // Keep the smallest set of most likely tokens whose probability reaches top_p; 1 = off.
  double top_p = 1.0;
  // Drop tokens less likely than min_p times the most likely one; 0 = off.
  double min_p = 0.0;
  // Hugging Face's repetition penalty over every earlier token, the prompt's included: a positive logit
  // is divided by it, a negative one multiplied; 1 = off.
  double repetition_penalty = 1.0;
  // OpenAI's penalties over the generated tokens only: logit -= presence * (count > 0) +
  // frequency * count, where count is how often the token was generated so far; 0 = off.
  double presence_penalty = 0.0;
  double frequency_penalty = 0.0;
  // The same seed, prompt and logits give the same tokens on every platform. Without one, each
  // sequence draws a fresh seed.
  std::optional<std::uint64_t> seed;
  // The most tokens to generate; without a limit generation runs until a stop or the context is full.
  std::optional<std::size_t> max_new_tokens;
  // Generation ends before any of these strings; the output does not include it.
  std::vector<std::string> stop;
  // Ids that end generation besides the model's end-of-text ids (model::stop_token_ids and the chat
  // format's end marker). The id itself is not part of the text.
  std::vector<tokenizer::TokenId> stop_token_ids;
  // Generate past the model's end-of-text ids (stop_token_ids still apply): for benchmarks.
  bool ignore_eos = false;
  // OpenAI's logprobs: absent = none; N = the chosen token's log-probability and the N most likely
  // tokens' (N = 0: the chosen token's alone).
  std::optional<std::size_t> logprobs;
  // OpenAI's response_format {"type": "json_object"}: decoding is constrained to one JSON object
  // (json_object_constraint.h), closed within the token limit, then an end-of-text id.
  bool json_object = false;

  // The model's defaults from its generation_config.json: do_sample=false gives greedy decoding (the
  // other sampling values are still copied, so a request that sets only a temperature samples as the
  // model intends). Its eos ids are not copied: they are model-wide, not a request's stop_token_ids.
  static SamplingParams from_generation_config(const model::GenerationConfig& generation);

  // Throws Error naming the first field out of range and the range, e.g.
  // "top_p: must be in (0, 1], got 1.5". The ranges are vLLM's (OpenAI's where vLLM has none).
  void validate() const;
};

// The largest logprobs count accepted: OpenAI's top_logprobs limit and vLLM's default max_logprobs.
inline constexpr std::size_t kMaxLogprobs = 20;

}  // namespace qwenrt::runtime
