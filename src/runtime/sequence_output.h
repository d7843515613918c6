// What a sequence's generated tokens amount to for its reader: the ids kept, the text made final so
// far (never half a character, never any part of a stop string), and whether a token ended it (an
// end-of-text or stop id, a stop string, the token limit). The single-sequence Generator and the
// batching Scheduler both feed their samples through one of these per sequence.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/sampling_params.h"
#include "runtime/stop_strings.h"
#include "tokenizer/streaming_detokenizer.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::runtime {

// kError: the engine failed while running the sequence (the result says why).
enum class FinishReason { kStop, kLength, kCancelled, kError };

// "stop", "length", "cancelled", "error": the OpenAI finish_reason spelling where it has one.
std::string_view finish_reason_name(FinishReason reason);

struct TokenOutcome {
  bool stop_token = false;             // an end-of-text or stop id: not part of the output
  std::string text;                    // text this token made final (often empty)
  std::optional<FinishReason> finish;  // kStop or kLength when this token ended the sequence
};

class SequenceOutput {
 public:
  // tokenizer must outlive this. eos_token_ids stop unless params.ignore_eos; params.stop_token_ids
  // and params.stop always stop. max_new_tokens is the limit after the context is taken into account.
  // Throws Error for invalid stop strings.
  SequenceOutput(const tokenizer::Tokenizer& tokenizer, const SamplingParams& params,
                 std::span<const tokenizer::TokenId> eos_token_ids, std::size_t max_new_tokens);

  // Takes the next sampled token. Call no more after one that gives a finish reason.
  TokenOutcome accept(tokenizer::TokenId id);

  // The sequence has ended with finish (from accept, or kLength/kCancelled decided by the caller):
  // returns the text still held back (none after a cancel or a stop string), and turns finish into
  // kStop when that tail completes a stop string.
  std::string close(FinishReason& finish);

  const std::vector<tokenizer::TokenId>& tokens() const { return tokens_; }
  const std::string& text() const { return text_; }  // every piece returned so far

 private:
  bool is_stop_token(tokenizer::TokenId id) const;

  tokenizer::StreamingDetokenizer detokenizer_;
  StopStringMatcher stops_;
  std::vector<tokenizer::TokenId> stop_ids_;
  std::size_t max_new_tokens_;
  std::vector<tokenizer::TokenId> tokens_;
  std::string text_;
};

}  // namespace qwenrt::runtime
