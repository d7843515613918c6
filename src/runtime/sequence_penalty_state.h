// What the repetition, presence and frequency penalties need to know about one sequence: which
// tokens it has seen (prompt and output) and how often each was generated. Kept up to date one token
// at a time, so a step costs time in the number of distinct tokens seen, never a rescan of the history
// and never a pass over the 152k-entry vocabulary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "engine/token_sampling.h"
#include "runtime/sampling_params.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::runtime {

class SequencePenaltyState {
 public:
  // The prompt counts for the repetition penalty only. Throws Error for a negative id.
  explicit SequencePenaltyState(std::span<const tokenizer::TokenId> prompt = {});

  // Records one generated token. Throws Error for a negative id.
  void add_generated(tokenizer::TokenId id);

  // How often id was generated so far (prompt occurrences not counted).
  std::uint32_t generated_count(tokenizer::TokenId id) const;
  // Distinct tokens in the prompt and the output.
  std::size_t distinct_tokens() const { return entries_.size(); }
  // Every distinct token with its generated count, in first-seen order: what a device sampler applies.
  std::span<const engine::SeenToken> entries() const { return entries_; }

  // Applies params' repetition penalty, then its presence and frequency penalties, to the logits of the
  // tokens seen; the others are untouched. Throws Error when a seen id is outside logits.
  void apply(const SamplingParams& params, std::span<float> logits) const;

 private:
  engine::SeenToken& entry_for(tokenizer::TokenId id);

  // Entries in first-seen order, so apply walks memory linearly; the map finds an id's entry.
  std::vector<engine::SeenToken> entries_;
  std::unordered_map<tokenizer::TokenId, std::uint32_t> index_;
};

}  // namespace qwenrt::runtime
