// Reading the two tokenizer file formats into one definition the Tokenizer is built from.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tokenizer/bpe_model.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::tokenizer {

struct TokenizerDefinition {
  TokenizerFormat format;
  BpeModel model;
  // Hugging Face finds added tokens in the raw text and normalizes what lies between them (with its
  // Unicode 9.0 NFC); Qwen v1 normalizes the whole text first (current NFC), so "<|extra_1|>" followed
  // by U+0338 composes into "...|≯" there.
  enum class Normalization { kNone, kBetweenAddedTokens, kWholeText } normalization;
  std::string pattern;      // the pre-tokenizer's Split regex
  std::vector<AddedToken> added_tokens;
};

// Hugging Face tokenizer.json with a byte-level BPE model (what every Qwen since 1.5 ships). Errors name
// the file and the JSON field at fault.
TokenizerDefinition load_tokenizer_json(const std::filesystem::path& file);

// Qwen v1's qwen.tiktoken: `base64(token bytes) rank` per line, NFC over the whole text as Qwen v1's
// tokenizer applies it before tiktoken. The special tokens follow the base
// vocabulary as Qwen v1 numbers them: <|endoftext|>, <|im_start|>, <|im_end|>, <|extra_0|>..<|extra_204|>.
TokenizerDefinition load_tiktoken(const std::filesystem::path& file);

}  // namespace qwenrt::tokenizer
