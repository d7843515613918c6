#include <unicode/uregex.h>
#include <unicode/utext.h>

#include "core/error.h"
#include "tokenizer/pretokenizer.h"

namespace qwenrt::tokenizer {
namespace {

// ICU reads \s as [\t\n\f\r\p{Z}], which leaves out U+000B and U+0085; Hugging Face's engines read it as
// the White_Space property. Rewrite the escapes so the pattern means what the tokenizer's authors meant.
std::string with_white_space_property(std::string_view pattern) {
  std::string out;
  out.reserve(pattern.size() + 32);
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\' && i + 1 < pattern.size()) {
      const char next = pattern[++i];
      if (next == 's') {
        out += "\\p{White_Space}";
      } else if (next == 'S') {
        out += "\\P{White_Space}";
      } else {
        out += '\\';
        out += next;
      }
    } else {
      out += pattern[i];
    }
  }
  return out;
}

void check(UErrorCode status, const char* what) {
  if (U_FAILURE(status)) fail("pre-tokenizer regex: ", what, " failed (", u_errorName(status), ")");
}

}  // namespace

struct RegexPretokenizer::Compiled {
  URegularExpression* regex = nullptr;
  ~Compiled() {
    if (regex != nullptr) uregex_close(regex);
  }
};

RegexPretokenizer::RegexPretokenizer(std::string_view pattern) : compiled_(std::make_unique<Compiled>()) {
  const std::string rewritten = with_white_space_property(pattern);
  UParseError where{};
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UText, decltype(&utext_close)> text(
      utext_openUTF8(nullptr, rewritten.data(), static_cast<int64_t>(rewritten.size()), &status), &utext_close);
  compiled_->regex = uregex_openUText(text.get(), 0, &where, &status);
  if (U_FAILURE(status)) {
    fail("pre-tokenizer regex does not compile at offset ", where.offset, " (", u_errorName(status), "): ", pattern);
  }
}

RegexPretokenizer::~RegexPretokenizer() = default;

void RegexPretokenizer::split(std::string_view text, std::vector<std::string_view>& out) const {
  // A compiled ICU regex holds match state, so each call matches with its own clone.
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<URegularExpression, decltype(&uregex_close)> regex(uregex_clone(compiled_->regex, &status),
                                                                       &uregex_close);
  check(status, "clone");
  std::unique_ptr<UText, decltype(&utext_close)> utext(
      utext_openUTF8(nullptr, text.data(), static_cast<int64_t>(text.size()), &status), &utext_close);
  uregex_setUText(regex.get(), utext.get(), &status);
  check(status, "set input");
  std::size_t last = 0;
  while (uregex_findNext(regex.get(), &status)) {
    const auto start = static_cast<std::size_t>(uregex_start64(regex.get(), 0, &status));
    const auto end = static_cast<std::size_t>(uregex_end64(regex.get(), 0, &status));
    if (start > last) out.push_back(text.substr(last, start - last));
    if (end > start) out.push_back(text.substr(start, end - start));
    last = end;
  }
  check(status, "match");
  if (last < text.size()) out.push_back(text.substr(last));
}

std::unique_ptr<Pretokenizer> make_pretokenizer(std::string_view pattern) {
  if (pattern == kQwenPattern) return std::make_unique<QwenPretokenizer>();
  return std::make_unique<RegexPretokenizer>(pattern);
}

}  // namespace qwenrt::tokenizer
