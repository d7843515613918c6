#include "runtime/json_object_syntax.h"

#include <cstring>

namespace qwenrt::runtime {
namespace {

bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_hex(unsigned char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

}  // namespace

bool JsonObjectSyntax::open(bool array) {
  if (depth_ == kMaxDepth) return false;
  if (array) {
    containers_ |= std::uint64_t{1} << depth_;
  } else {
    containers_ &= ~(std::uint64_t{1} << depth_);
  }
  ++depth_;
  expect_ = array ? Expect::kFirstValueOrEnd : Expect::kFirstKeyOrEnd;
  return true;
}

void JsonObjectSyntax::close() {
  --depth_;
  expect_ = depth_ == 0 ? Expect::kDone : Expect::kCommaOrEnd;
}

bool JsonObjectSyntax::start_value(unsigned char c) {
  switch (c) {
    case '{': return open(false);
    case '[': return open(true);
    case '"':
      expect_ = Expect::kString;
      key_ = false;
      return true;
    case 't': literal_ = "rue"; break;
    case 'f': literal_ = "alse"; break;
    case 'n': literal_ = "ull"; break;
    case '-': expect_ = Expect::kNumber; number_ = Number::kMinus; return true;
    case '0': expect_ = Expect::kNumber; number_ = Number::kZero; return true;
    default:
      if (!is_digit(c)) return false;
      expect_ = Expect::kNumber;
      number_ = Number::kInteger;
      return true;
  }
  expect_ = Expect::kLiteral;
  return true;
}

bool JsonObjectSyntax::advance_string(unsigned char c) {
  if (pending_ > 0) {  // inside a multi-byte character
    if (c < next_low_ || c > next_high_) return false;
    --pending_;
    next_low_ = 0x80;
    next_high_ = 0xBF;
    return true;
  }
  if (c == '"') {
    expect_ = key_ ? Expect::kColon : Expect::kCommaOrEnd;
    return true;
  }
  if (c == '\\') {
    expect_ = Expect::kEscape;
    return true;
  }
  if (c < 0x20) return false;
  if (c < 0x80) return true;
  // Unicode's table of well-formed UTF-8 (3-7): the lead byte fixes the count and the first range.
  if (c >= 0xC2 && c <= 0xDF) {
    pending_ = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    pending_ = 2;
    if (c == 0xE0) next_low_ = 0xA0;
    if (c == 0xED) next_high_ = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    pending_ = 3;
    if (c == 0xF0) next_low_ = 0x90;
    if (c == 0xF4) next_high_ = 0x8F;
  } else {
    return false;
  }
  return true;
}

bool JsonObjectSyntax::advance_number(unsigned char c) {
  const bool digit = is_digit(c);
  switch (number_) {
    case Number::kMinus:
      if (!digit) return false;
      number_ = c == '0' ? Number::kZero : Number::kInteger;
      return true;
    case Number::kDot:
      if (!digit) return false;
      number_ = Number::kFraction;
      return true;
    case Number::kExponentMark:
      if (c == '+' || c == '-') {
        number_ = Number::kExponentSign;
        return true;
      }
      [[fallthrough]];
    case Number::kExponentSign:
      if (!digit) return false;
      number_ = Number::kExponent;
      return true;
    case Number::kZero:
    case Number::kInteger:
    case Number::kFraction:
      if (digit && number_ != Number::kZero) return true;
      if (c == '.' && number_ != Number::kFraction) {
        number_ = Number::kDot;
        return true;
      }
      if (c == 'e' || c == 'E') {
        number_ = Number::kExponentMark;
        return true;
      }
      break;
    case Number::kExponent:
      if (digit) return true;
      break;
  }
  // The number is whole; the byte belongs to what follows it.
  expect_ = Expect::kCommaOrEnd;
  return advance(c);
}

bool JsonObjectSyntax::advance(unsigned char c) {
  switch (expect_) {
    case Expect::kObjectStart:
      if (skip_space(c)) return true;
      return c == '{' && open(false);
    case Expect::kFirstKeyOrEnd:
    case Expect::kKey:
      if (skip_space(c)) return true;
      if (c == '}' && expect_ == Expect::kFirstKeyOrEnd) {
        close();
        return true;
      }
      if (c != '"') return false;
      expect_ = Expect::kString;
      key_ = true;
      return true;
    case Expect::kColon:
      if (skip_space(c)) return true;
      if (c != ':') return false;
      expect_ = Expect::kValue;
      return true;
    case Expect::kFirstValueOrEnd:
      if (c == ']') {
        close();
        return true;
      }
      [[fallthrough]];
    case Expect::kValue:
      return skip_space(c) || start_value(c);
    case Expect::kCommaOrEnd:
      if (skip_space(c)) return true;
      if (c == ',') {
        expect_ = in_array() ? Expect::kValue : Expect::kKey;
        return true;
      }
      if (c == (in_array() ? ']' : '}')) {
        close();
        return true;
      }
      return false;
    case Expect::kString:
      return advance_string(c);
    case Expect::kEscape:
      if (c == 'u') {
        expect_ = Expect::kUnicodeHex;
        pending_ = 4;
        return true;
      }
      if (std::strchr("\"\\/bfnrt", c) == nullptr || c == 0) return false;
      expect_ = Expect::kString;
      return true;
    case Expect::kUnicodeHex:
      if (!is_hex(c)) return false;
      if (--pending_ == 0) expect_ = Expect::kString;
      return true;
    case Expect::kNumber:
      return advance_number(c);
    case Expect::kLiteral:
      if (c != static_cast<unsigned char>(*literal_)) return false;
      if (*++literal_ == '\0') expect_ = Expect::kCommaOrEnd;
      return true;
    case Expect::kDone:
      return false;
  }
  return false;
}

std::size_t JsonObjectSyntax::bytes_to_complete() const {
  const std::size_t key_tail = key_ ? 2 : 0;  // a key still needs ':' and a value
  switch (expect_) {
    case Expect::kObjectStart: return 2;
    case Expect::kKey: return depth_ + 4;    // "":0
    case Expect::kColon: return depth_ + 2;  // :0
    case Expect::kValue: return depth_ + 1;  // 0
    case Expect::kString: return depth_ + pending_ + 1 + key_tail;
    case Expect::kEscape: return depth_ + 2 + key_tail;
    case Expect::kUnicodeHex: return depth_ + pending_ + 1 + key_tail;
    case Expect::kNumber: {
      const bool needs_digit = number_ == Number::kMinus || number_ == Number::kDot ||
                               number_ == Number::kExponentMark || number_ == Number::kExponentSign;
      return depth_ + (needs_digit ? 1 : 0);
    }
    case Expect::kLiteral: return depth_ + std::strlen(literal_);
    default: return depth_;  // a bracket per open container
  }
}


JsonObjectSyntax::Key JsonObjectSyntax::key() const {
  // Only the fields the current state reads count, so that states that behave alike share a key.
  const bool in_string = expect_ == Expect::kString || expect_ == Expect::kEscape || expect_ == Expect::kUnicodeHex;
  std::uint64_t packed = std::uint64_t{depth_} | std::uint64_t{static_cast<std::uint8_t>(expect_)} << 8;
  if (expect_ == Expect::kNumber) packed |= std::uint64_t{static_cast<std::uint8_t>(number_)} << 16;
  if (in_string) packed |= std::uint64_t{key_} << 24 | std::uint64_t{pending_} << 25;
  if (expect_ == Expect::kString && pending_ > 0) packed |= std::uint64_t{next_low_} << 28 | std::uint64_t{next_high_} << 36;
  if (expect_ == Expect::kLiteral) {
    // A literal's rest is told by its first character and length ("e" ends true and false alike).
    packed |= std::uint64_t{static_cast<unsigned char>(*literal_)} << 44 | std::uint64_t{std::strlen(literal_)} << 52;
  }
  const std::uint64_t open = depth_ == kMaxDepth ? ~std::uint64_t{0} : (std::uint64_t{1} << depth_) - 1;
  return {containers_ & open, packed};
}

}  // namespace qwenrt::runtime
