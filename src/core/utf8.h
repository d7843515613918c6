// UTF-8 decoding and encoding helpers shared by the tokenizer, the detokenizer and the server.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace qwenrt::utf8 {

inline constexpr char32_t kReplacement = 0xFFFD;

struct Decoded {
  char32_t code_point;  // kReplacement when the sequence is invalid
  std::size_t length;   // bytes consumed: at least 1, so a scan always advances
  bool valid;
};

// Decodes the code point starting at s[pos] (pos < s.size()). Rejects overlong forms, surrogates and
// values past U+10FFFF; an invalid sequence consumes its maximal invalid prefix as WHATWG does.
Decoded decode(std::string_view s, std::size_t pos);

void append(std::string& out, char32_t code_point);

// Length of the longest prefix of s that does not end inside an incomplete (but so far valid)
// multi-byte sequence: what a streaming writer may emit now without splitting a character.
std::size_t complete_prefix_length(std::string_view s);

// True when s is well-formed UTF-8.
bool is_valid(std::string_view s);

// Replaces every invalid sequence with U+FFFD (Python's errors="replace").
std::string sanitize(std::string_view s);

}  // namespace qwenrt::utf8
