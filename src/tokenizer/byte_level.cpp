#include "tokenizer/byte_level.h"

#include <array>

#include "core/utf8.h"

namespace qwenrt::tokenizer {
namespace {

// Printable Latin-1 bytes stand for themselves; the other 68 bytes take the code points from U+0100 up,
// in byte order.
struct ByteLevelMaps {
  std::array<char32_t, 256> byte_to_char{};
  std::array<int, 0x144> char_to_byte{};  // every stand-in is below U+0144

  ByteLevelMaps() {
    char_to_byte.fill(-1);
    char32_t next = 0x100;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      byte_to_char[b] = printable ? static_cast<char32_t>(b) : next++;
      char_to_byte[byte_to_char[b]] = b;
    }
  }
};

const ByteLevelMaps& maps() {
  static const ByteLevelMaps instance;
  return instance;
}

}  // namespace

std::optional<std::string> byte_level_decode(std::string_view token) {
  const ByteLevelMaps& m = maps();
  std::string bytes;
  bytes.reserve(token.size());
  for (std::size_t pos = 0; pos < token.size();) {
    const utf8::Decoded d = utf8::decode(token, pos);
    if (!d.valid || d.code_point >= m.char_to_byte.size() || m.char_to_byte[d.code_point] < 0) return std::nullopt;
    bytes.push_back(static_cast<char>(m.char_to_byte[d.code_point]));
    pos += d.length;
  }
  return bytes;
}

std::string byte_level_encode(std::string_view bytes) {
  const ByteLevelMaps& m = maps();
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) utf8::append(out, m.byte_to_char[b]);
  return out;
}

}  // namespace qwenrt::tokenizer
