#include "tokenizer/nfc.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>

#include "core/error.h"
#include "core/utf8.h"
#include "tokenizer/unicode_classes.h"

namespace qwenrt::tokenizer {

bool is_nfc_stable(std::string_view s) {
  for (std::size_t pos = 0; pos < s.size();) {
    if (static_cast<unsigned char>(s[pos]) < 0x80) {
      ++pos;
      continue;
    }
    const utf8::Decoded d = utf8::decode(s, pos);
    if (!(char_flags(d.code_point) & kNfcStable)) return false;
    pos += d.length;
  }
  return true;
}

std::string to_nfc(std::string_view s) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) fail("ICU: cannot load the NFC normalizer (", u_errorName(status), ")");
  std::string out;
  out.reserve(s.size());
  icu::StringByteSink<std::string> sink(&out);
  nfc->normalizeUTF8(0, icu::StringPiece(s.data(), static_cast<int32_t>(s.size())), sink, nullptr, status);
  if (U_FAILURE(status)) fail("ICU: NFC normalization failed (", u_errorName(status), ")");
  return out;
}

std::string to_nfc_unicode9(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t piece = 0;
  for (std::size_t pos = 0; pos < s.size();) {
    const utf8::Decoded d = utf8::decode(s, pos);
    if (char_flags(d.code_point) & kNfcNewerThanUnicode9) {
      out += to_nfc(s.substr(piece, pos - piece));
      out.append(s.substr(pos, d.length));
      piece = pos + d.length;
    }
    pos += d.length;
  }
  out += to_nfc(s.substr(piece));
  return out;
}

}  // namespace qwenrt::tokenizer
