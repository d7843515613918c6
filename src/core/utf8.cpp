#include "core/utf8.h"

namespace qwenrt::utf8 {
namespace {

// Expected sequence length from the lead byte, 0 for a byte that cannot start a sequence.
std::size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// The valid range of the second byte depends on the lead byte (excludes overlongs and surrogates).
bool second_byte_ok(unsigned char lead, unsigned char b) {
  switch (lead) {
    case 0xE0: return b >= 0xA0 && b <= 0xBF;
    case 0xED: return b >= 0x80 && b <= 0x9F;
    case 0xF0: return b >= 0x90 && b <= 0xBF;
    case 0xF4: return b >= 0x80 && b <= 0x8F;
    default: return b >= 0x80 && b <= 0xBF;
  }
}

}  // namespace

Decoded decode(std::string_view s, std::size_t pos) {
  const auto lead = static_cast<unsigned char>(s[pos]);
  if (lead < 0x80) return {lead, 1, true};
  const std::size_t n = sequence_length(lead);
  if (n == 0) return {kReplacement, 1, false};
  char32_t cp = lead & (0xFF >> (n + 1));
  for (std::size_t i = 1; i < n; ++i) {
    if (pos + i >= s.size()) return {kReplacement, i, false};
    const auto b = static_cast<unsigned char>(s[pos + i]);
    const bool ok = i == 1 ? second_byte_ok(lead, b) : (b >= 0x80 && b <= 0xBF);
    if (!ok) return {kReplacement, i, false};
    cp = (cp << 6) | (b & 0x3F);
  }
  return {cp, n, true};
}

void append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::size_t complete_prefix_length(std::string_view s) {
  // Only the last three bytes can belong to an unfinished sequence.
  const std::size_t n = s.size();
  for (std::size_t back = 1; back <= 3 && back <= n; ++back) {
    const auto b = static_cast<unsigned char>(s[n - back]);
    if ((b & 0xC0) == 0x80) continue;  // continuation byte: keep looking for the lead
    const std::size_t need = sequence_length(b);
    if (need > back) {
      // A lead byte with too few followers: hold it back only if what is there is a valid beginning.
      const Decoded d = decode(s, n - back);
      if (d.length == back) return n - back;
    }
    return n;
  }
  return n;
}

bool is_valid(std::string_view s) {
  for (std::size_t pos = 0; pos < s.size();) {
    const Decoded d = decode(s, pos);
    if (!d.valid) return false;
    pos += d.length;
  }
  return true;
}

std::string sanitize(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t pos = 0; pos < s.size();) {
    const Decoded d = decode(s, pos);
    if (d.valid) {
      out.append(s.substr(pos, d.length));
    } else {
      append(out, kReplacement);
    }
    pos += d.length;
  }
  return out;
}

}  // namespace qwenrt::utf8
