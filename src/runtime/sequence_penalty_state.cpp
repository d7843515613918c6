#include "runtime/sequence_penalty_state.h"

#include "core/error.h"

namespace qwenrt::runtime {

SequencePenaltyState::SequencePenaltyState(std::span<const tokenizer::TokenId> prompt) {
  for (tokenizer::TokenId id : prompt) entry_for(id);
}

void SequencePenaltyState::add_generated(tokenizer::TokenId id) { ++entry_for(id).generated; }

std::uint32_t SequencePenaltyState::generated_count(tokenizer::TokenId id) const {
  const auto found = index_.find(id);
  return found == index_.end() ? 0 : entries_[found->second].generated;
}

engine::SeenToken& SequencePenaltyState::entry_for(tokenizer::TokenId id) {
  if (id < 0) fail("sampling: token id ", id, " is negative");
  const auto [found, inserted] = index_.try_emplace(id, static_cast<std::uint32_t>(entries_.size()));
  if (inserted) entries_.push_back({id, 0});
  return entries_[found->second];
}

void SequencePenaltyState::apply(const SamplingParams& params, std::span<float> logits) const {
  const bool repetition = params.repetition_penalty != 1.0;
  const bool additive = params.presence_penalty != 0.0 || params.frequency_penalty != 0.0;
  if (!repetition && !additive) return;
  const auto penalty = static_cast<float>(params.repetition_penalty);
  const auto presence = static_cast<float>(params.presence_penalty);
  const auto frequency = static_cast<float>(params.frequency_penalty);
  for (const engine::SeenToken& entry : entries_) {
    if (static_cast<std::size_t>(entry.id) >= logits.size()) {
      fail("sampling: token id ", entry.id, " is outside the model's ", logits.size(), " logits");
    }
    float& logit = logits[static_cast<std::size_t>(entry.id)];
    // Hugging Face's RepetitionPenaltyLogitsProcessor: dividing a negative logit would raise it, so
    // a negative one is multiplied instead; either way the token becomes less likely.
    if (repetition) logit = logit < 0 ? logit * penalty : logit / penalty;
    if (entry.generated > 0) logit -= presence + frequency * static_cast<float>(entry.generated);
  }
}

}  // namespace qwenrt::runtime
