#include "runtime/sequence_output.h"

#include <algorithm>

namespace qwenrt::runtime {

std::string_view finish_reason_name(FinishReason reason) {
  switch (reason) {
    case FinishReason::kStop: return "stop";
    case FinishReason::kLength: return "length";
    case FinishReason::kCancelled: return "cancelled";
    case FinishReason::kError: return "error";
  }
  return "unknown";
}

SequenceOutput::SequenceOutput(const tokenizer::Tokenizer& tokenizer, const SamplingParams& params,
                               std::span<const tokenizer::TokenId> eos_token_ids, std::size_t max_new_tokens)
    : detokenizer_(tokenizer), stops_(params.stop), stop_ids_(params.stop_token_ids), max_new_tokens_(max_new_tokens) {
  if (!params.ignore_eos) stop_ids_.insert(stop_ids_.end(), eos_token_ids.begin(), eos_token_ids.end());
}

bool SequenceOutput::is_stop_token(tokenizer::TokenId id) const {
  return std::find(stop_ids_.begin(), stop_ids_.end(), id) != stop_ids_.end();
}

TokenOutcome SequenceOutput::accept(tokenizer::TokenId id) {
  TokenOutcome outcome;
  if (is_stop_token(id)) {
    outcome.stop_token = true;
    outcome.finish = FinishReason::kStop;
    return outcome;
  }
  tokens_.push_back(id);
  StopCheck check = stops_.feed(detokenizer_.push(id));
  outcome.text = std::move(check.text);
  text_ += outcome.text;
  if (check.stop) {
    outcome.finish = FinishReason::kStop;
  } else if (tokens_.size() >= max_new_tokens_) {
    outcome.finish = FinishReason::kLength;
  }
  return outcome;
}

std::string SequenceOutput::close(FinishReason& finish) {
  if (finish == FinishReason::kCancelled || finish == FinishReason::kError || stops_.stopped()) return {};
  StopCheck tail = stops_.feed(detokenizer_.finish());
  std::string text = std::move(tail.text);
  if (tail.stop) {
    finish = FinishReason::kStop;
  } else {
    text += stops_.finish();
  }
  text_ += text;
  return text;
}

}  // namespace qwenrt::runtime
