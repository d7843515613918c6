#include "tokenizer/prompt_segments.h"

#include "tokenizer/added_token_matcher.h"

namespace qwenrt::tokenizer {

void PromptWriter::append(std::string_view text, bool is_markup) {
  if (text.empty()) return;
  if (!segments_.empty() && segments_.back().is_markup == is_markup) {
    segments_.back().text += text;
  } else {
    segments_.push_back({std::string(text), is_markup});
  }
}

std::string join(std::span<const PromptSegment> segments) {
  std::string out;
  for (const PromptSegment& segment : segments) out += segment.text;
  return out;
}

std::vector<TokenId> encode_prompt(const Tokenizer& tokenizer, std::span<const PromptSegment> segments,
                                   PromptEncoding encoding) {
  std::vector<TokenId> ids;
  if (encoding == PromptEncoding::kPerSegment) {
    for (const PromptSegment& segment : segments) {
      tokenizer.encode_append(segment.text, segment.is_markup ? SpecialTokens::kParse : SpecialTokens::kPlainText,
                              ids);
    }
    return ids;
  }
  const AddedTokenMatcher matcher(tokenizer.added_tokens());
  std::string pending;  // text since the last added token: content and markup encoded as one text
  for (const PromptSegment& segment : segments) {
    if (!segment.is_markup) {
      pending += segment.text;
      continue;
    }
    const std::string_view text = segment.text;
    std::size_t pos = 0;
    while (const auto match = matcher.find(text, pos)) {
      pending.append(text.substr(pos, match->pos - pos));
      tokenizer.encode_append(pending, SpecialTokens::kPlainText, ids);
      pending.clear();
      ids.push_back(match->id);
      pos = match->pos + match->length;
    }
    pending.append(text.substr(pos));
  }
  tokenizer.encode_append(pending, SpecialTokens::kPlainText, ids);
  return ids;
}

}  // namespace qwenrt::tokenizer
