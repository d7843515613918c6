// Per-code-point properties the pre-tokenizer and the normalizer ask for on every character, read from
// ICU once into a two-stage table so the hot loop is two array loads.
#pragma once

#include <cstdint>

namespace qwenrt::tokenizer {

enum CharFlag : std::uint8_t {
  kLetter = 1,      // \p{L}
  kNumber = 2,      // \p{N}
  kWhiteSpace = 4,  // \s as Rust's regex and Oniguruma read it: the Unicode White_Space property
  kNfcStable = 8,   // NFC_Quick_Check=Yes and combining class 0: text made only of these is already NFC
  // Not NFC-stable, and encoded after Unicode 9.0: Hugging Face tokenizers' normalizer has Unicode 9.0
  // tables, where such a character is an unassigned starter that NFC leaves alone.
  kNfcNewerThanUnicode9 = 16,
};

// Flags of a code point (0 for values past U+10FFFF).
std::uint8_t char_flags(char32_t code_point);

}  // namespace qwenrt::tokenizer
