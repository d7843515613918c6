// One sequence generated on a backend: prefill the prompt, then sample, detokenize, check stops and
// stream text until a stop token, a stop string, the token limit or a cancel. The batching scheduler
// will run many sequences at once; this is the single-sequence path of `run`, `chat` and `eval`.
#pragma once

#include <atomic>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/backend.h"
#include "runtime/sampling_params.h"
#include "runtime/sequence_output.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::runtime {

struct GenerationResult {
  std::vector<tokenizer::TokenId> tokens;  // generated, without the stop token
  std::string text;                        // what was streamed: up to a stop string, never past it
  FinishReason finish = FinishReason::kLength;
  std::size_t prompt_tokens = 0;
  double prefill_seconds = 0;  // time to the first token
  double decode_seconds = 0;   // the rest
};

// Receives each piece of text as soon as it is final (whole characters, never part of a stop string).
// Returning false cancels the generation.
using TextCallback = std::function<bool(std::string_view)>;

class Generator {
 public:
  // backend and tokenizer must outlive the generator. eos_token_ids are the model's end-of-text ids
  // (SamplingParams::ignore_eos switches them off; its stop_token_ids are extra stops on top).
  Generator(engine::Backend& backend, const tokenizer::Tokenizer& tokenizer,
            std::vector<tokenizer::TokenId> eos_token_ids);

  // Positions one sequence may use: the KV cache's capacity, at most the model's maximum positions.
  std::size_t context_length() const;

  // params.max_new_tokens unset means up to the context length. Throws Error when the prompt leaves no
  // room to generate, saying the lengths. cancel, when given, is polled after every token.
  GenerationResult generate(std::span<const tokenizer::TokenId> prompt, const SamplingParams& params,
                            const TextCallback& on_text, const std::atomic<bool>* cancel = nullptr);

 private:
  engine::Backend& backend_;
  const tokenizer::Tokenizer& tokenizer_;
  std::vector<tokenizer::TokenId> eos_token_ids_;
};

}  // namespace qwenrt::runtime
