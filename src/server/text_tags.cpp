#include "server/text_tags.h"

#include <algorithm>

namespace qwenrt::server {

std::size_t partial_tag_length(std::string_view text, std::string_view tag) {
  for (std::size_t n = std::min(text.size(), tag.size() - 1); n > 0; --n) {
    if (text.substr(text.size() - n) == tag.substr(0, n)) return n;
  }
  return 0;
}

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

std::string_view trim_trailing_space(std::string_view text) {
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

void LeadingSpaceTrimmer::append(std::string_view piece, std::string& out) {
  if (trimming_) {
    while (!piece.empty() && is_space(piece.front())) piece.remove_prefix(1);
    if (piece.empty()) return;
    trimming_ = false;
  }
  out += piece;
}

}  // namespace qwenrt::server
