// JSON's syntax (RFC 8259) as an automaton over bytes, for text that must be one JSON object: it says
// whether a byte can continue the text so far, and how many bytes at the fewest would complete it.
// Strings must be valid UTF-8 (no overlong forms, no surrogates) without control characters, as a
// strict parser demands. The state is a few bytes, so the token mask can copy it at every trie node.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

namespace qwenrt::runtime {

class JsonObjectSyntax {
 public:
  // Containers nested deeper are refused: the nesting is kept in the bits of one word.
  static constexpr std::size_t kMaxDepth = 64;

  // Takes byte when it can continue a JSON object text and returns true; returns false when it cannot,
  // leaving the state unspecified (callers advance a copy).
  bool advance(unsigned char byte);

  // The top-level object has closed: nothing but the end may follow.
  bool complete() const { return expect_ == Expect::kDone; }

  // The fewest bytes that complete the object from here (each of them one byte, so one token of a
  // byte-level vocabulary): closing the open string, number or literal, a placeholder value where one
  // is due, and a bracket per open container.
  std::size_t bytes_to_complete() const;

  // Equal keys mean equal states: the same bytes are accepted from both, with the same outcomes.
  using Key = std::pair<std::uint64_t, std::uint64_t>;
  Key key() const;

 private:
  enum class Expect : std::uint8_t {
    kObjectStart,       // whitespace, then the top-level '{'
    kFirstKeyOrEnd,     // after '{'
    kKey,               // after ',' in an object
    kColon,
    kValue,             // after ':' or ',' in an array
    kFirstValueOrEnd,   // after '['
    kCommaOrEnd,        // after a value inside a container
    kString,
    kEscape,            // after '\' in a string
    kUnicodeHex,        // in \uXXXX; pending_ digits left
    kNumber,
    kLiteral,           // true, false, null; literal_ is what is left
    kDone,
  };
  enum class Number : std::uint8_t { kMinus, kZero, kInteger, kDot, kFraction, kExponentMark, kExponentSign, kExponent };

  bool skip_space(unsigned char byte) const { return byte == ' ' || byte == '\n' || byte == '\r' || byte == '\t'; }
  bool start_value(unsigned char byte);
  bool open(bool array);
  void close();
  bool advance_string(unsigned char byte);
  bool advance_number(unsigned char byte);
  bool in_array() const { return (containers_ >> (depth_ - 1)) & 1U; }

  std::uint64_t containers_ = 0;  // bit i: the container at depth i + 1 is an array
  std::uint8_t depth_ = 0;
  Expect expect_ = Expect::kObjectStart;
  Number number_ = Number::kMinus;
  bool key_ = false;               // the open string is an object key
  std::uint8_t pending_ = 0;       // hex digits left (kUnicodeHex), continuation bytes left (kString)
  std::uint8_t next_low_ = 0x80;   // the range of the next UTF-8 continuation byte
  std::uint8_t next_high_ = 0xBF;
  const char* literal_ = nullptr;
};

}  // namespace qwenrt::runtime
