#include "tokenizer/streaming_detokenizer.h"

#include "core/utf8.h"

namespace qwenrt::tokenizer {

std::string StreamingDetokenizer::push(TokenId id) {
  pending_ += tokenizer_.generated_token_bytes(id);
  const std::size_t ready = utf8::complete_prefix_length(pending_);
  std::string out = utf8::sanitize(std::string_view(pending_).substr(0, ready));
  pending_.erase(0, ready);
  return out;
}

std::string StreamingDetokenizer::finish() {
  std::string out = utf8::sanitize(pending_);
  pending_.clear();
  return out;
}

}  // namespace qwenrt::tokenizer
