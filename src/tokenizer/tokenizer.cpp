#include "tokenizer/tokenizer.h"

#include "core/error.h"
#include "core/utf8.h"
#include "tokenizer/added_token_matcher.h"
#include "tokenizer/nfc.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/tokenizer_files.h"

namespace qwenrt::tokenizer {

struct Tokenizer::Impl {
  explicit Impl(TokenizerDefinition def)
      : format(def.format),
        model(std::move(def.model)),
        normalization(def.normalization),
        pretokenizer(make_pretokenizer(def.pattern)),
        added(std::move(def.added_tokens)),
        matcher(added) {
    vocab_size = model.size();
    for (const AddedToken& t : added) vocab_size = std::max(vocab_size, static_cast<std::size_t>(t.id) + 1);
    added_bytes.resize(vocab_size - model.size());
    for (const AddedToken& t : added) {
      const auto id = static_cast<std::size_t>(t.id);
      if (id < model.size()) {
        if (model.token_bytes(t.id) != t.content) fail("added token '", t.content, "' reuses id ", id, " of another token");
      } else {
        added_bytes[id - model.size()] = t.content;
      }
    }
  }

  // Text without added tokens: normalize (unless the whole text was), split, BPE each piece.
  void encode_ordinary(std::string_view text, std::vector<TokenId>& out) const {
    std::string normalized;
    if (normalization == Normalization::kBetweenAddedTokens && !is_nfc_stable(text)) {
      normalized = to_nfc_unicode9(text);
      text = normalized;
    }
    thread_local std::vector<std::string_view> pieces;
    pieces.clear();
    pretokenizer->split(text, pieces);
    for (std::string_view piece : pieces) model.encode_piece(piece, out);
  }

  std::string_view bytes_of(TokenId id) const {
    if (id < 0 || static_cast<std::size_t>(id) >= vocab_size) fail("token id ", id, " is outside the vocabulary (size ", vocab_size, ")");
    const auto i = static_cast<std::size_t>(id);
    const std::string_view bytes = i < model.size() ? model.token_bytes(id) : std::string_view(added_bytes[i - model.size()]);
    if (bytes.empty()) fail("token id ", id, " is not assigned in this vocabulary");
    return bytes;
  }

  using Normalization = TokenizerDefinition::Normalization;

  TokenizerFormat format;
  BpeModel model;
  Normalization normalization;
  std::unique_ptr<Pretokenizer> pretokenizer;
  std::vector<AddedToken> added;
  AddedTokenMatcher matcher;
  std::vector<std::string> added_bytes;  // by id - model.size()
  std::size_t vocab_size = 0;
};

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

Tokenizer Tokenizer::from_tokenizer_json(const std::filesystem::path& file) {
  return Tokenizer(std::make_unique<Impl>(load_tokenizer_json(file)));
}

Tokenizer Tokenizer::from_tiktoken(const std::filesystem::path& file) {
  return Tokenizer(std::make_unique<Impl>(load_tiktoken(file)));
}

Tokenizer Tokenizer::from_directory(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) fail(dir.string(), ": not a directory");
  if (std::filesystem::exists(dir / "tokenizer.json", ec)) return from_tokenizer_json(dir / "tokenizer.json");
  if (std::filesystem::exists(dir / "qwen.tiktoken", ec)) return from_tiktoken(dir / "qwen.tiktoken");
  fail(dir.string(), ": holds neither tokenizer.json nor qwen.tiktoken");
}

std::vector<TokenId> Tokenizer::encode(std::string_view text, SpecialTokens mode) const {
  std::vector<TokenId> out;
  out.reserve(text.size() / 3 + 4);
  encode_append(text, mode, out);
  return out;
}

void Tokenizer::encode_append(std::string_view text, SpecialTokens mode, std::vector<TokenId>& out) const {
  for (std::size_t pos = 0; pos < text.size();) {
    const utf8::Decoded d = utf8::decode(text, pos);
    if (!d.valid) fail("input is not valid UTF-8 (at byte ", pos, ")");
    pos += d.length;
  }
  std::string normalized;
  if (impl_->normalization == Impl::Normalization::kWholeText && !is_nfc_stable(text)) {
    normalized = to_nfc(text);
    text = normalized;
  }
  if (mode == SpecialTokens::kPlainText) {
    impl_->encode_ordinary(text, out);
    return;
  }
  std::size_t pos = 0;
  while (auto match = impl_->matcher.find(text, pos)) {
    if (match->pos > pos) impl_->encode_ordinary(text.substr(pos, match->pos - pos), out);
    out.push_back(match->id);
    pos = match->pos + match->length;
  }
  if (pos < text.size()) impl_->encode_ordinary(text.substr(pos), out);
}

std::string Tokenizer::decode(std::span<const TokenId> ids) const {
  std::string out;
  for (TokenId id : ids) out += impl_->bytes_of(id);
  return out;
}

std::string Tokenizer::decode_text(std::span<const TokenId> ids) const { return utf8::sanitize(decode(ids)); }

std::string_view Tokenizer::token_bytes(TokenId id) const { return impl_->bytes_of(id); }

std::string_view Tokenizer::generated_token_bytes(TokenId id) const {
  if (id >= 0 && static_cast<std::size_t>(id) >= impl_->vocab_size) return {};
  return impl_->bytes_of(id);
}

std::optional<TokenId> Tokenizer::added_token_id(std::string_view content) const { return impl_->matcher.id_of(content); }

const std::vector<AddedToken>& Tokenizer::added_tokens() const { return impl_->added; }

std::size_t Tokenizer::vocab_size() const { return impl_->vocab_size; }

TokenizerFormat Tokenizer::format() const { return impl_->format; }

}  // namespace qwenrt::tokenizer
