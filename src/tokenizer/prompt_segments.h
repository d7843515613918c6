// A rendered chat prompt as a list of segments that remember who wrote each piece: the template
// (markup: role markers, <|im_start|>, <tool_call> wrappers, the tools preamble) or the caller
// (content: message texts, reasoning, tool names and arguments, tool JSON). Added-token text such as
// `<|im_start|>` becomes a control token only inside markup, so a message cannot inject one.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace qwenrt::tokenizer {

struct PromptSegment {
  std::string text;
  bool is_markup = false;

  bool operator==(const PromptSegment&) const = default;
};

// Appends markup and content, merging neighbours of the same kind and dropping empty pieces.
class PromptWriter {
 public:
  void markup(std::string_view text) { append(text, true); }
  void content(std::string_view text) { append(text, false); }
  std::vector<PromptSegment> take() { return std::move(segments_); }

 private:
  void append(std::string_view text, bool is_markup);
  std::vector<PromptSegment> segments_;
};

// The prompt text: what a Jinja chat template would have rendered.
std::string join(std::span<const PromptSegment> segments);

enum class PromptEncoding {
  // As Hugging Face tokenizes a rendered template: the whole text at once, split only at added tokens,
  // so BPE pieces may span the seam between markup and content. Here only added tokens written in
  // markup split the text, and the text between two of them is encoded as one ordinary text. When no
  // content holds added-token text, the ids equal encode(join(segments), SpecialTokens::kParse).
  kWholeText,
  // Each segment on its own, markup with kParse and content with kPlainText: how Qwen v1's make_context
  // builds its token list piece by piece.
  kPerSegment,
};

// Throws Error when a segment is not valid UTF-8.
std::vector<TokenId> encode_prompt(const Tokenizer& tokenizer, std::span<const PromptSegment> segments,
                                   PromptEncoding encoding = PromptEncoding::kWholeText);

}  // namespace qwenrt::tokenizer
