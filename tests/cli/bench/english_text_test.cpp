// The synthetic prose hits every token count exactly with the real Qwen tokenizer and reads as
// sentences of words.
#include "cli/bench/english_text.h"

#include <gtest/gtest.h>

#include "bench_test_support.h"

namespace qwenrt::bench {
namespace {

TEST(EnglishText, EncodesToExactlyTheTokensAsked) {
  const tokenizer::Tokenizer* tokenizer = testing::qwen_tokenizer();
  ASSERT_NE(tokenizer, nullptr);
  const EnglishTextWriter writer(*tokenizer);
  runtime::RandomStream random(3);
  for (std::size_t tokens : {1, 2, 3, 4, 5, 7, 16, 31, 100, 257, 1024, 3000}) {
    const std::string text = writer.write(tokens, 0.3, random);
    EXPECT_EQ(tokenizer->encode(text).size(), tokens) << text;
  }
}

TEST(EnglishText, WritesCapitalisedSentencesOfWords) {
  const tokenizer::Tokenizer* tokenizer = testing::qwen_tokenizer();
  ASSERT_NE(tokenizer, nullptr);
  const EnglishTextWriter writer(*tokenizer);
  runtime::RandomStream random(5);
  const std::string text = writer.write(400, 0.5, random);
  EXPECT_TRUE(std::isupper(static_cast<unsigned char>(text[0]))) << text;
  EXPECT_NE(text.find(". "), std::string::npos) << text;
  EXPECT_NE(text.find("? "), std::string::npos) << text;
  EXPECT_NE(text.find(".\n\n"), std::string::npos) << "paragraphs: " << text;
  for (char c : text) EXPECT_TRUE(std::isalpha(static_cast<unsigned char>(c)) || std::string_view(" .,?\n").find(c) != std::string_view::npos) << c;
  runtime::RandomStream again(5);
  EXPECT_EQ(writer.write(400, 0.5, again), text) << "the same draws give the same text";
}

}  // namespace
}  // namespace qwenrt::bench
