// Unicode NFC normalization, the normalizer of Qwen's tokenizer.json and of Qwen v1's tiktoken path.
#pragma once

#include <string>
#include <string_view>

namespace qwenrt::tokenizer {

// Cheap sufficient test: true when every character is NFC-stable, so normalization would not change s.
// Most text (all ASCII, most CJK) passes and skips the ICU call.
bool is_nfc_stable(std::string_view utf8);

// NFC of valid UTF-8 text.
std::string to_nfc(std::string_view utf8);

}  // namespace qwenrt::tokenizer
