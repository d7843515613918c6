// What one forward step computes: new tokens of one or more sequences, each appended to that
// sequence's cached keys and values. The same description drives every backend.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "tokenizer/tokenizer.h"

namespace qwenrt::engine {

using tokenizer::TokenId;

struct SequenceStep {
  std::span<const TokenId> tokens;            // the prompt, a chunk of it, or one generated token
  std::size_t first_position = 0;            // position of tokens[0]; positions before it are cached
  std::span<const std::int32_t> block_table;  // the sequence's KV blocks, covering every position
  bool logits_for_every_token = false;        // else only for the last token (all a sampler needs)
  // Qwen v1 with dynamic NTK: the length of the prompt as first run, which fixes the rotary base for
  // the whole sequence (modeling_qwen.py keeps the prefill's alpha while decoding). 0: this step's end.
  std::size_t ntk_context_length = 0;
};

// Rows of logits a batch yields, in order: every token of a step that asks for it, else its last.
std::size_t logit_rows(std::span<const SequenceStep> batch);

}  // namespace qwenrt::engine
