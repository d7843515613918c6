// Splits a Qwen3 answer into its thinking and its reply as the text streams in: the model writes
// "<think>\n...\n</think>\n\n" before the reply. What lies between the markers becomes OpenAI's
// reasoning_content (as vLLM's Qwen3 reasoning parser returns it), the rest content. The markers and
// the whitespace right after them are dropped; text that may still become a marker is held back.
// An answer that does not open with <think> is all content.
#pragma once

#include <string>
#include <string_view>

#include "server/text_tags.h"

namespace qwenrt::server {

struct ReasoningPieces {
  std::string reasoning;
  std::string content;
};

class ReasoningSplitter {
 public:
  // The next piece of the answer; returns what became certain.
  ReasoningPieces feed(std::string_view text);
  // The answer has ended: whatever was held back (a half marker is plain text).
  ReasoningPieces finish();

 private:
  enum class Part { kOpening, kThinking, kReply };

  Part part_ = Part::kOpening;
  std::string held_;
  LeadingSpaceTrimmer reasoning_trim_, reply_trim_;
};

}  // namespace qwenrt::server
