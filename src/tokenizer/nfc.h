// Unicode NFC normalization, the normalizer of Qwen's tokenizer.json and of Qwen v1's tiktoken path.
#pragma once

#include <string>
#include <string_view>

namespace qwenrt::tokenizer {

// Cheap sufficient test: true when every character is NFC-stable, so normalization would not change s.
// Most text (all ASCII, most CJK) passes and skips the ICU call.
bool is_nfc_stable(std::string_view utf8);

// NFC of valid UTF-8 text, with ICU's (current) Unicode tables: Python's unicodedata, as Qwen v1 uses.
std::string to_nfc(std::string_view utf8);

// NFC as Hugging Face tokenizers computes it, with Unicode 9.0 tables: the characters encoded since
// then that NFC would move or compose (kNfcNewerThanUnicode9) stay where they are, and nothing
// composes across them. Measured against tokenizers 0.23.2 (bench/tokenizer_python_bench.py --check).
std::string to_nfc_unicode9(std::string_view utf8);

}  // namespace qwenrt::tokenizer
