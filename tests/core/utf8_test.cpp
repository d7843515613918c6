#include "core/utf8.h"

#include <gtest/gtest.h>

namespace qwenrt::utf8 {
namespace {

TEST(Utf8, DecodesEveryLengthAndRoundTrips) {
  const std::u32string cps = {U'a', U'\u00e9', U'\u4e2d', U'\U0001F600', U'\U0010FFFF'};
  std::string s;
  for (char32_t c : cps) append(s, c);
  EXPECT_EQ(s.size(), 1u + 2 + 3 + 4 + 4);
  std::size_t pos = 0;
  for (char32_t c : cps) {
    const Decoded d = decode(s, pos);
    ASSERT_TRUE(d.valid);
    EXPECT_EQ(d.code_point, c);
    pos += d.length;
  }
  EXPECT_EQ(pos, s.size());
  EXPECT_TRUE(is_valid(s));
}

TEST(Utf8, RejectsOverlongSurrogateAndOutOfRange) {
  EXPECT_FALSE(is_valid("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(is_valid("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(is_valid("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(is_valid("\x80"));              // lone continuation
  EXPECT_FALSE(is_valid("\xE4\xB8"));          // truncated
}

TEST(Utf8, SanitizeReplacesEachMaximalInvalidSubpart) {
  EXPECT_EQ(sanitize("a\xE4\xB8" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(sanitize("\x80\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(sanitize("ok \xE4\xB8\xAD"), "ok \xE4\xB8\xAD");
}

TEST(Utf8, CompletePrefixHoldsBackOnlyAnUnfinishedCharacter) {
  const std::string zhong = "\xE4\xB8\xAD";  // 中
  EXPECT_EQ(complete_prefix_length("ab" + zhong.substr(0, 1)), 2u);
  EXPECT_EQ(complete_prefix_length("ab" + zhong.substr(0, 2)), 2u);
  EXPECT_EQ(complete_prefix_length("ab" + zhong), 5u);
  const std::string emoji = "\xF0\x9F\x98\x80";
  EXPECT_EQ(complete_prefix_length(emoji.substr(0, 3)), 0u);
  EXPECT_EQ(complete_prefix_length(emoji), 4u);
  // Bytes that can never become valid are not held back: they are emitted (and replaced) at once.
  EXPECT_EQ(complete_prefix_length("a\xFF"), 2u);
  EXPECT_EQ(complete_prefix_length("a\xE4\x41"), 3u);
}

}  // namespace
}  // namespace qwenrt::utf8
