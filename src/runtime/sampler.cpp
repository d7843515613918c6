#include "runtime/sampler.h"

#include <limits>
#include <utility>

#include "core/error.h"
#include "runtime/logit_filters.h"

namespace qwenrt::runtime {

namespace {

constexpr float kInfinity = std::numeric_limits<float>::infinity();

struct Workspace {
  std::vector<float> penalized;
  std::vector<Candidate> candidates;
};

// Per thread, so a server holding thousands of sequences keeps one set of vocabulary-sized buffers per
// worker thread rather than per sequence, and a step allocates nothing once they have grown.
Workspace& workspace() {
  thread_local Workspace buffers;
  return buffers;
}

// NaN or +inf means the forward pass broke; -inf is how a model masks a token out.
void check_logits(std::span<const float> logits) {
  for (std::size_t i = 0; i < logits.size(); ++i) {
    if (!(logits[i] < kInfinity)) {
      fail("sampling: the logit of token ", i, " is ", logits[i], "; logits must be finite or -inf");
    }
  }
}

// The logits after the penalties: a copy in the workspace when a penalty applies, else the input as is.
std::span<const float> penalized_logits(std::span<const float> logits, const SamplingParams& params,
                                        const SequencePenaltyState& penalties, Workspace& buffers) {
  if (logits.empty()) fail("sampling: the model gave no logits");
  const bool penalised = params.repetition_penalty != 1.0 || params.presence_penalty != 0.0 ||
                         params.frequency_penalty != 0.0;
  if (!penalised || penalties.distinct_tokens() == 0) return logits;
  buffers.penalized.assign(logits.begin(), logits.end());
  penalties.apply(params, buffers.penalized);
  return buffers.penalized;
}

// The logits the sampler works from: penalised, and checked before any selection algorithm sees a NaN.
std::span<const float> checked_penalized_logits(std::span<const float> logits, const SamplingParams& params,
                                                const SequencePenaltyState& penalties, Workspace& buffers) {
  const std::span<const float> penalized = penalized_logits(logits, params, penalties, buffers);
  check_logits(penalized);
  return penalized;
}

// torch.argmax's choice: the first of equal maxima, i.e. the lowest id.
tokenizer::TokenId argmax(std::span<const float> logits) {
  std::size_t best = logits.size();
  float best_logit = -kInfinity;
  for (std::size_t i = 0; i < logits.size(); ++i) {
    if (logits[i] > best_logit) {
      best = i;
      best_logit = logits[i];
    }
  }
  if (best == logits.size()) fail("sampling: every token's logit is -inf");
  return static_cast<tokenizer::TokenId>(best);
}

// Fills candidates, in id order, with the tokens left after temperature, top-k, top-p and min-p, and
// weighs them. Top-k runs first, on the untempered logits: dividing by a positive temperature keeps
// their order (distinct floats stay distinct doubles), so it selects the same tokens Hugging Face's
// temperature-then-top-k does, and only those k get divided.
void truncate(std::span<const float> logits, const SamplingParams& params, std::vector<Candidate>& candidates) {
  float floor = -kInfinity;
  if (params.top_k > 0 && params.top_k < logits.size()) floor = top_k_threshold(logits, params.top_k);
  candidates.clear();
  for (std::size_t i = 0; i < logits.size(); ++i) {
    if (logits[i] != -kInfinity && logits[i] >= floor) {
      candidates.push_back({static_cast<tokenizer::TokenId>(i), logits[i] / params.temperature});
    }
  }
  if (candidates.empty()) fail("sampling: every token's logit is -inf");
  weigh(candidates);
  keep_top_p(candidates, params.top_p);
  keep_min_p(candidates, params.min_p);
}

// Inverse-CDF sampling: the first candidate, in id order, whose cumulative weight passes
// uniform * total.
tokenizer::TokenId draw(const std::vector<Candidate>& candidates, double uniform) {
  double total = 0;
  for (const Candidate& c : candidates) total += c.weight;
  const double target = uniform * total;
  double cumulative = 0;
  tokenizer::TokenId last_possible = candidates.front().id;
  for (const Candidate& c : candidates) {
    cumulative += c.weight;
    if (cumulative > target) return c.id;
    if (c.weight > 0) last_possible = c.id;
  }
  // The walk can end a rounding error short of a target just below the total; the last token with any
  // weight is then the one the target falls in.
  return last_possible;
}

SamplingParams validated(SamplingParams params) {
  params.validate();
  return params;
}

}  // namespace

Sampler::Sampler(SamplingParams params, std::span<const tokenizer::TokenId> prompt)
    : params_(validated(std::move(params))),
      seed_(params_.seed.value_or(RandomStream::fresh_seed())),
      random_(seed_),
      penalties_(prompt) {}

SampledToken Sampler::sample(std::span<const float> logits) {
  Workspace& buffers = workspace();
  const std::span<const float> penalized = checked_penalized_logits(logits, params_, penalties_, buffers);
  SampledToken result{};
  if (params_.temperature < kGreedyBelowTemperature) {
    result.id = argmax(penalized);
  } else {
    truncate(penalized, params_, buffers.candidates);
    result.id = draw(buffers.candidates, random_.next_uniform());
  }
  if (params_.logprobs) result.logprobs = raw_logprobs(logits, result.id, *params_.logprobs);
  penalties_.add_generated(result.id);
  return result;
}

engine::TokenSampling Sampler::device_row() {
  engine::TokenSampling row;
  if (params_.logprobs) {
    row.host_logits = true;
    return row;
  }
  if (params_.temperature >= kGreedyBelowTemperature) {
    row.temperature = static_cast<float>(params_.temperature);
    // top_k at or above the vocabulary keeps everything, as 0 does.
    row.top_k = params_.top_k <= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())
                    ? static_cast<std::int32_t>(params_.top_k)
                    : 0;
    row.top_p = static_cast<float>(params_.top_p);
    row.min_p = static_cast<float>(params_.min_p);
    row.uniform = random_.next_uniform();
  }
  row.repetition_penalty = static_cast<float>(params_.repetition_penalty);
  row.presence_penalty = static_cast<float>(params_.presence_penalty);
  row.frequency_penalty = static_cast<float>(params_.frequency_penalty);
  const bool penalised = params_.repetition_penalty != 1.0 || params_.presence_penalty != 0.0 ||
                         params_.frequency_penalty != 0.0;
  if (penalised) row.seen = penalties_.entries();
  return row;
}

SampledToken Sampler::from_device(tokenizer::TokenId device_choice, std::span<const float> host_logits) {
  if (device_choice == engine::kSampledNoToken) return sample(host_logits);
  if (device_choice == engine::kSampledAllMasked) fail("sampling: every token's logit is -inf");
  if (device_choice < 0) fail("sampling: the logits hold NaN or +inf");
  penalties_.add_generated(device_choice);
  return {device_choice, std::nullopt};
}

std::vector<TokenProbability> Sampler::distribution(std::span<const float> logits) const {
  Workspace& buffers = workspace();
  const std::span<const float> penalized = checked_penalized_logits(logits, params_, penalties_, buffers);
  if (params_.temperature < kGreedyBelowTemperature) return {{argmax(penalized), 1.0}};
  truncate(penalized, params_, buffers.candidates);
  double total = 0;
  for (const Candidate& c : buffers.candidates) total += c.weight;
  std::vector<TokenProbability> result;
  result.reserve(buffers.candidates.size());
  for (const Candidate& c : buffers.candidates) result.push_back({c.id, c.weight / total});
  return result;
}

}  // namespace qwenrt::runtime
