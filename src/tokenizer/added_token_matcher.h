// Finds added tokens (`<|im_start|>`, `<think>`) written in text, as Hugging Face's added vocabulary
// does before normalization: the leftmost occurrence wins, and the longest token at that position.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace qwenrt::tokenizer {

class AddedTokenMatcher {
 public:
  struct Match {
    std::size_t pos;
    std::size_t length;
    TokenId id;
  };

  explicit AddedTokenMatcher(const std::vector<AddedToken>& tokens);

  // The first added token at or after `from`.
  std::optional<Match> find(std::string_view text, std::size_t from) const;
  std::optional<TokenId> id_of(std::string_view content) const;

 private:
  struct Entry {
    std::string_view content;  // points into the tokenizer's AddedToken list, which outlives this
    TokenId id;
  };
  std::array<std::vector<Entry>, 256> by_first_byte_;  // each list longest first
  std::array<bool, 256> starts_{};
  int single_first_byte_ = -1;  // the only first byte, when all tokens share one: memchr scans for it
};

}  // namespace qwenrt::tokenizer
