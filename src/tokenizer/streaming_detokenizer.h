// Turns a stream of generated ids into text that never shows half a character: a Chinese character or
// an emoji whose bytes span two tokens appears only once its last byte has arrived.
#pragma once

#include <string>

#include "tokenizer/tokenizer.h"

namespace qwenrt::tokenizer {

class StreamingDetokenizer {
 public:
  explicit StreamingDetokenizer(const Tokenizer& tokenizer) : tokenizer_(tokenizer) {}

  // The text that became complete with this token (possibly empty). Bytes that can never become valid
  // UTF-8 come out at once as U+FFFD, as Hugging Face's errors="replace" decodes them. An id past the
  // tokenizer's vocabulary adds no text (Tokenizer::generated_token_bytes). Throws Error on a negative id.
  std::string push(TokenId id);
  // Whatever is still held back, unfinished sequences replaced by U+FFFD. The stream can go on after.
  std::string finish();

 private:
  const Tokenizer& tokenizer_;
  std::string pending_;
};

}  // namespace qwenrt::tokenizer
