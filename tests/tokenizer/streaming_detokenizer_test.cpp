#include "tokenizer/streaming_detokenizer.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/utf8.h"
#include "testdata.h"

namespace qwenrt::tokenizer {
namespace {

TEST(StreamingDetokenizer, NeverEmitsHalfACharacter) {
  const auto file = qwenrt::testing::tokenizer_testdata() / "tokenizer.json";
  ASSERT_TRUE(qwenrt::testing::have_testdata_file(file));
  const Tokenizer tok = Tokenizer::from_tokenizer_json(file);
  // Rare CJK characters and emoji are split across byte-level tokens.
  const std::string text = "龘靐齉 👨‍👩‍👧‍👦 🇨🇳 done";
  const auto ids = tok.encode(text);
  ASSERT_GT(ids.size(), 8u);
  StreamingDetokenizer stream(tok);
  std::string joined;
  bool held_back = false;
  for (TokenId id : ids) {
    const std::string piece = stream.push(id);
    EXPECT_TRUE(utf8::is_valid(piece)) << "emitted a partial character";
    held_back |= piece.size() < tok.token_bytes(id).size();
    joined += piece;
  }
  joined += stream.finish();
  EXPECT_TRUE(held_back) << "the text should have split some character across tokens";
  EXPECT_EQ(joined, text);
}

TEST(StreamingDetokenizer, IdsPastTheTokenizerAddNoTextAndKeepWhatIsHeldBack) {
  const auto file = qwenrt::testing::tokenizer_testdata() / "tokenizer.json";
  ASSERT_TRUE(qwenrt::testing::have_testdata_file(file));
  const Tokenizer tok = Tokenizer::from_tokenizer_json(file);
  const auto rare = tok.encode("龘!");
  ASSERT_GE(rare.size(), 3u);
  const auto padded = static_cast<TokenId>(tok.vocab_size());  // the first row a padded model adds
  StreamingDetokenizer stream(tok);
  std::string out = stream.push(rare[0]);
  EXPECT_EQ(stream.push(padded), "");
  EXPECT_EQ(stream.push(padded + 300), "");
  for (std::size_t i = 1; i < rare.size(); ++i) out += stream.push(rare[i]);
  EXPECT_EQ(out + stream.finish(), "龘!");
  EXPECT_THROW(stream.push(-1), Error);
}

TEST(StreamingDetokenizer, ReplacesBytesThatCanNeverBeValid) {
  const auto file = qwenrt::testing::tokenizer_testdata() / "tokenizer.json";
  ASSERT_TRUE(qwenrt::testing::have_testdata_file(file));
  const Tokenizer tok = Tokenizer::from_tokenizer_json(file);
  const auto rare = tok.encode("龘");  // a rare character: its three bytes span several tokens
  ASSERT_GE(rare.size(), 2u);
  StreamingDetokenizer stream(tok);
  std::string out = stream.push(rare[0]);
  EXPECT_EQ(out, "");
  out += stream.push(tok.encode("a")[0]);
  EXPECT_EQ(out, "\xEF\xBF\xBD" "a");
  EXPECT_EQ(stream.finish(), "");
}

}  // namespace
}  // namespace qwenrt::tokenizer
