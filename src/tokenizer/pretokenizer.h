// Splits normalized text into the pieces BPE runs on, as the tokenizer's Split pre-tokenizer does
// (behavior "Isolated": every regex match is a piece, and so is any text between matches).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace qwenrt::tokenizer {

// The pattern shared by every Qwen generation (tokenizer.json's Split regex and Qwen v1's PAT_STR).
inline constexpr std::string_view kQwenPattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

class Pretokenizer {
 public:
  virtual ~Pretokenizer() = default;
  // Appends the pieces of valid UTF-8 text to out; the pieces tile text exactly, in order.
  virtual void split(std::string_view text, std::vector<std::string_view>& out) const = 0;
};

// A hand-written scanner equivalent to kQwenPattern under Rust-regex semantics, several times faster
// than a regex engine.
class QwenPretokenizer final : public Pretokenizer {
 public:
  void split(std::string_view text, std::vector<std::string_view>& out) const override;
};

// Any other pattern, through ICU's regex engine (with \s and \S read as White_Space, as Hugging Face's
// engines read them). Also the reference the fast scanner is tested against.
class RegexPretokenizer final : public Pretokenizer {
 public:
  explicit RegexPretokenizer(std::string_view pattern);
  ~RegexPretokenizer() override;
  void split(std::string_view text, std::vector<std::string_view>& out) const override;

 private:
  struct Compiled;
  std::unique_ptr<Compiled> compiled_;
};

// The fast scanner for Qwen's pattern, the regex engine for anything else. Throws Error on a pattern
// ICU cannot compile.
std::unique_ptr<Pretokenizer> make_pretokenizer(std::string_view pattern);

}  // namespace qwenrt::tokenizer
