#include "tokenizer/pretokenizer.h"

#include <gtest/gtest.h>

#include <random>

#include "core/utf8.h"

namespace qwenrt::tokenizer {
namespace {

std::vector<std::string> split_with(const Pretokenizer& p, std::string_view text) {
  std::vector<std::string_view> pieces;
  p.split(text, pieces);
  return {pieces.begin(), pieces.end()};
}

using Pieces = std::vector<std::string>;

TEST(QwenPretokenizer, SplitsLikeThePattern) {
  const QwenPretokenizer p;
  EXPECT_EQ(split_with(p, "Hello world"), (Pieces{"Hello", " world"}));
  EXPECT_EQ(split_with(p, "I'M here, you'Re"), (Pieces{"I", "'M", " here", ",", " you", "'Re"}));
  EXPECT_EQ(split_with(p, "x 123"), (Pieces{"x", " ", "1", "2", "3"}));
  EXPECT_EQ(split_with(p, "a  \n\n  b"), (Pieces{"a", "  \n\n", " ", " b"}));
  EXPECT_EQ(split_with(p, "end   "), (Pieces{"end", "   "}));
  EXPECT_EQ(split_with(p, "(hello) !!\n\nok"), (Pieces{"(hello", ")", " !!\n\n", "ok"}));
  EXPECT_EQ(split_with(p, "\t\tx"), (Pieces{"\t", "\tx"}));
  EXPECT_EQ(split_with(p, "你好，世界"), (Pieces{"你好", "，世界"}));
  EXPECT_EQ(split_with(p, "it\xC5\xBF"), (Pieces{"it\xC5\xBF"}));            // long s is a letter
  EXPECT_EQ(split_with(p, "'\xC5\xBF"), (Pieces{"'\xC5\xBF"}));             // and folds to 's
  EXPECT_EQ(split_with(p, "a\xC2\x85" "b"), (Pieces{"a", "\xC2\x85" "b"}));  // U+0085 is white space
  EXPECT_EQ(split_with(p, ""), Pieces{});
}

// Random strings over characters chosen to exercise every alternative and class boundary; the fast
// scanner must agree piece for piece with the ICU regex engine running the pattern itself.
TEST(QwenPretokenizer, AgreesWithTheRegexEngineOnRandomText) {
  const std::vector<char32_t> alphabet = {
      U'a', U'Z', U'é', U'ß', U'ſ', U'中', U'ア', U'한', U'ب', U'ж', U'\u0301', U'\u0e31',  // letters, marks
      U'0', U'9', U'٣', U'Ⅻ', U'½',                                                    // numbers
      U' ', U'\t', U'\n', U'\r', U'\v', U'\f', U'\u00a0', U'\u3000', U'\u2028', U'\u0085', U'\u1680',
      U'\ufeff', U'\u200d', U'\'', U'"', U'.', U',', U'!', U'-', U'<', U'|', U'>', U'😀', U'\U0001F3FD',
      U's', U'S', U't', U'r', U'e', U'v', U'm', U'l', U'L', U'd'};
  const QwenPretokenizer fast;
  const RegexPretokenizer regex(kQwenPattern);
  std::mt19937 rng(1234);
  for (int iter = 0; iter < 20000; ++iter) {
    std::string text;
    const int len = static_cast<int>(rng() % 24);
    for (int i = 0; i < len; ++i) utf8::append(text, alphabet[rng() % alphabet.size()]);
    ASSERT_EQ(split_with(fast, text), split_with(regex, text)) << "text: " << text;
  }
}

TEST(RegexPretokenizer, KeepsUnmatchedTextAsPieces) {
  const RegexPretokenizer digits(R"(\d+)");
  EXPECT_EQ(split_with(digits, "ab12cd3"), (Pieces{"ab", "12", "cd", "3"}));
}

TEST(RegexPretokenizer, ReportsAPatternThatDoesNotCompile) {
  EXPECT_ANY_THROW(RegexPretokenizer("(unclosed"));
  EXPECT_NE(dynamic_cast<QwenPretokenizer*>(make_pretokenizer(kQwenPattern).get()), nullptr);
  EXPECT_NE(dynamic_cast<RegexPretokenizer*>(make_pretokenizer(R"(\w+)").get()), nullptr);
}

}  // namespace
}  // namespace qwenrt::tokenizer
