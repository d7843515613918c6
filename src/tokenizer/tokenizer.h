// Qwen's byte-level BPE tokenizer, loaded from a Hugging Face tokenizer.json (Qwen1.5/2/2.5/3) or a
// tiktoken rank file qwen.tiktoken (Qwen v1). Encode gives the ids Hugging Face gives; decode returns
// the exact bytes the ids stand for, so decode(encode(text)) == text for any valid UTF-8 text that is
// already in NFC (the normalizer both formats apply is the only change encode makes).
//
// A Tokenizer is immutable after loading and safe to use from many threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace qwenrt::tokenizer {

using TokenId = std::int32_t;

// What encode does with added-token text (`<|im_start|>`, `<think>`) written in its input.
enum class SpecialTokens {
  kParse,      // becomes the token's id, as Hugging Face's encode does: for the template's own markers
  kPlainText,  // encoded as ordinary text: for user content, so it cannot inject control tokens
};

struct AddedToken {
  std::string content;
  TokenId id;
  bool special;  // the tokenizer.json flag; every v1 tiktoken extra token is special
};

enum class TokenizerFormat { kTokenizerJson, kTiktoken };

class Tokenizer {
 public:
  // Loads DIR/tokenizer.json when present, else DIR/qwen.tiktoken. Throws Error naming the file.
  static Tokenizer from_directory(const std::filesystem::path& dir);
  static Tokenizer from_tokenizer_json(const std::filesystem::path& file);
  static Tokenizer from_tiktoken(const std::filesystem::path& file);

  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  ~Tokenizer();

  // Throws Error when text is not valid UTF-8.
  std::vector<TokenId> encode(std::string_view text, SpecialTokens mode = SpecialTokens::kParse) const;
  void encode_append(std::string_view text, SpecialTokens mode, std::vector<TokenId>& out) const;

  // The concatenated bytes of the tokens: may end inside a UTF-8 character when the ids do.
  // Throws Error on an id outside the vocabulary.
  std::string decode(std::span<const TokenId> ids) const;
  // As decode, with invalid UTF-8 replaced by U+FFFD (Hugging Face's errors="replace").
  std::string decode_text(std::span<const TokenId> ids) const;
  std::string_view token_bytes(TokenId id) const;
  // As token_bytes for an id a model produced: none for an id past the tokenizer's vocabulary. A
  // model's vocabulary is padded beyond its tokenizer's (Qwen2.5-7B has 152,064 rows for 151,665
  // tokens) and an untrained or random model can pick those rows, whose tokens Hugging Face's decode
  // skips. Throws Error on a negative or unassigned id.
  std::string_view generated_token_bytes(TokenId id) const;

  std::optional<TokenId> added_token_id(std::string_view content) const;
  const std::vector<AddedToken>& added_tokens() const;
  // One past the largest id the tokenizer knows (base vocabulary and added tokens).
  std::size_t vocab_size() const;
  TokenizerFormat format() const;

 private:
  struct Impl;
  explicit Tokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace qwenrt::tokenizer
