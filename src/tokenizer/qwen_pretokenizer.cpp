// The scanner below decides, at each position, which alternative of kQwenPattern a backtracking regex
// engine would match first and how far it would reach:
//   1 (?i:'s|'t|'re|'ve|'m|'ll|'d)      contractions; case folding makes U+017F (long s) an 's'
//   2 [^\r\n\p{L}\p{N}]?\p{L}+          a letter run, with one optional leading non-letter/digit/newline
//   3 \p{N}                             one digit
//   4  ?[^\s\p{L}\p{N}]+[\r\n]*         a run of other characters, optional leading space, trailing newlines
//   5 \s*[\r\n]+                        white space up to and including its last newline
//   6 \s+(?!\S)                         white space, leaving the last character for a following word
//   7 \s+                               a single white-space character before a non-space
#include <array>

#include "tokenizer/pretokenizer.h"
#include "tokenizer/unicode_classes.h"

namespace qwenrt::tokenizer {
namespace {

enum class Kind : std::uint8_t { kLetter, kNumber, kSpace, kNewline, kOther, kEnd };

struct Char {
  Kind kind;
  std::uint8_t length;
  char32_t code_point;
};

// Input is valid UTF-8 (the tokenizer checks before normalizing), so decoding needs no checks.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  Char at(std::size_t pos) const {
    if (p_ + pos >= end_) return {Kind::kEnd, 0, 0};
    const auto* s = reinterpret_cast<const unsigned char*>(p_ + pos);
    if (s[0] < 0x80) return {ascii_kind(s[0]), 1, s[0]};
    char32_t cp;
    std::uint8_t len;
    if (s[0] < 0xE0) {
      cp = ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu);
      len = 2;
    } else if (s[0] < 0xF0) {
      cp = ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
      len = 3;
    } else {
      cp = ((s[0] & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu);
      len = 4;
    }
    const std::uint8_t f = char_flags(cp);
    const Kind kind = (f & kLetter) ? Kind::kLetter : (f & kNumber) ? Kind::kNumber
                      : (f & kWhiteSpace) ? Kind::kSpace : Kind::kOther;
    return {kind, len, cp};
  }

  std::size_t size() const { return static_cast<std::size_t>(end_ - p_); }

 private:
  static Kind ascii_kind(unsigned char c) {
    static const auto table = [] {
      std::array<Kind, 128> t{};
      for (int i = 0; i < 128; ++i) {
        const std::uint8_t f = char_flags(static_cast<char32_t>(i));
        t[i] = (i == '\r' || i == '\n') ? Kind::kNewline
               : (f & kLetter) ? Kind::kLetter : (f & kNumber) ? Kind::kNumber
               : (f & kWhiteSpace) ? Kind::kSpace : Kind::kOther;
      }
      return t;
    }();
    return table[c];
  }

  const char* p_;
  const char* end_;
};

bool is_space(Kind k) { return k == Kind::kSpace || k == Kind::kNewline; }

char32_t ascii_lower(char32_t c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

// Length in bytes of a contraction at pos (which holds an apostrophe), or 0.
std::size_t contraction_length(const Cursor& cur, std::size_t pos) {
  const Char c1 = cur.at(pos + 1);
  const char32_t a = c1.code_point == 0x17F ? U's' : ascii_lower(c1.code_point);
  if (c1.length == 0) return 0;
  if (a == 's' || a == 't' || a == 'm' || a == 'd') return 1 + c1.length;
  const Char c2 = cur.at(pos + 1 + c1.length);
  const char32_t b = c2.code_point == 0x17F ? U's' : ascii_lower(c2.code_point);
  if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 1 + c1.length + c2.length;
  return 0;
}

std::size_t skip_while(const Cursor& cur, std::size_t pos, Kind kind) {
  for (Char c = cur.at(pos); c.kind == kind; c = cur.at(pos)) pos += c.length;
  return pos;
}

// End of the piece that starts at pos.
std::size_t piece_end(const Cursor& cur, std::size_t pos) {
  const Char c0 = cur.at(pos);
  if (c0.code_point == '\'') {
    if (const std::size_t n = contraction_length(cur, pos)) return pos + n;
  }
  if (c0.kind == Kind::kLetter) return skip_while(cur, pos + c0.length, Kind::kLetter);
  const Char c1 = cur.at(pos + c0.length);
  if (c0.kind != Kind::kNewline && c0.kind != Kind::kNumber && c1.kind == Kind::kLetter) {
    return skip_while(cur, pos + c0.length, Kind::kLetter);
  }
  if (c0.kind == Kind::kNumber) return pos + c0.length;
  if (c0.kind == Kind::kOther || (c0.code_point == ' ' && c1.kind == Kind::kOther)) {
    std::size_t end = skip_while(cur, c0.kind == Kind::kOther ? pos : pos + 1, Kind::kOther);
    return skip_while(cur, end, Kind::kNewline);
  }
  // White space: find the run and the end of its last newline.
  std::size_t end = pos;
  std::size_t after_last_newline = 0;
  std::size_t last_char_start = pos;
  for (Char c = c0; is_space(c.kind); c = cur.at(end)) {
    last_char_start = end;
    end += c.length;
    if (c.kind == Kind::kNewline) after_last_newline = end;
  }
  if (after_last_newline != 0) return after_last_newline;
  if (end == cur.size() || last_char_start == pos) return end;
  return last_char_start;
}

}  // namespace

void QwenPretokenizer::split(std::string_view text, std::vector<std::string_view>& out) const {
  const Cursor cur(text);
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t end = piece_end(cur, pos);
    out.push_back(text.substr(pos, end - pos));
    pos = end;
  }
}

}  // namespace qwenrt::tokenizer
