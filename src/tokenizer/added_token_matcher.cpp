#include "tokenizer/added_token_matcher.h"

#include <algorithm>
#include <cstring>

namespace qwenrt::tokenizer {

AddedTokenMatcher::AddedTokenMatcher(const std::vector<AddedToken>& tokens) {
  int distinct_first_bytes = 0;
  for (const AddedToken& t : tokens) {
    if (t.content.empty()) continue;
    const auto first = static_cast<unsigned char>(t.content[0]);
    if (!starts_[first]) {
      starts_[first] = true;
      ++distinct_first_bytes;
      single_first_byte_ = first;
    }
    by_first_byte_[first].push_back({t.content, t.id});
  }
  if (distinct_first_bytes != 1) single_first_byte_ = -1;
  for (auto& list : by_first_byte_) {
    std::stable_sort(list.begin(), list.end(), [](const Entry& a, const Entry& b) { return a.content.size() > b.content.size(); });
  }
}

std::optional<AddedTokenMatcher::Match> AddedTokenMatcher::find(std::string_view text, std::size_t from) const {
  for (std::size_t pos = from; pos < text.size(); ++pos) {
    if (single_first_byte_ >= 0) {
      const void* hit = std::memchr(text.data() + pos, single_first_byte_, text.size() - pos);
      if (hit == nullptr) return std::nullopt;
      pos = static_cast<std::size_t>(static_cast<const char*>(hit) - text.data());
    } else if (!starts_[static_cast<unsigned char>(text[pos])]) {
      continue;
    }
    for (const Entry& e : by_first_byte_[static_cast<unsigned char>(text[pos])]) {
      if (text.compare(pos, e.content.size(), e.content) == 0) return Match{pos, e.content.size(), e.id};
    }
  }
  return std::nullopt;
}

std::optional<TokenId> AddedTokenMatcher::id_of(std::string_view content) const {
  if (content.empty()) return std::nullopt;
  for (const Entry& e : by_first_byte_[static_cast<unsigned char>(content[0])]) {
    if (e.content == content) return e.id;
  }
  return std::nullopt;
}

}  // namespace qwenrt::tokenizer
