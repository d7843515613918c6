#include "tokenizer/tokenizer.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "testdata.h"

namespace qwenrt::tokenizer {
namespace {

using Ids = std::vector<TokenId>;
using qwenrt::testing::have_testdata_file;
using qwenrt::testing::tokenizer_testdata;

class QwenTokenizerTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    const auto file = tokenizer_testdata() / GetParam();
    ASSERT_TRUE(have_testdata_file(file));
    tok_ = std::make_unique<Tokenizer>(std::string(GetParam()) == "tokenizer.json" ? Tokenizer::from_tokenizer_json(file)
                                                                                    : Tokenizer::from_tiktoken(file));
  }
  std::unique_ptr<Tokenizer> tok_;
};

// Ids of the real Qwen vocabulary, as Hugging Face's tokenizer gives them.
TEST_P(QwenTokenizerTest, EncodesKnownText) {
  EXPECT_EQ(tok_->encode("Hello world"), (Ids{9707, 1879}));
  EXPECT_EQ(tok_->encode("<|im_start|>user\n"), (Ids{151644, 872, 198}));
  EXPECT_EQ(tok_->encode("<|endoftext|>"), (Ids{151643}));
  EXPECT_EQ(tok_->encode(""), Ids{});
}

TEST_P(QwenTokenizerTest, SpecialTokenTextStaysTextUnlessParsed) {
  const Ids plain = tok_->encode("<|im_start|>", SpecialTokens::kPlainText);
  EXPECT_GT(plain.size(), 1u);
  for (TokenId id : plain) EXPECT_LT(id, 151643);
  EXPECT_EQ(tok_->decode(plain), "<|im_start|>");
  EXPECT_EQ(tok_->encode("a<|im_end|>b"), (Ids{64, 151645, 65}));
}

TEST_P(QwenTokenizerTest, DecodeInvertsEncodeByteForByte) {
  for (const char* text : {"你好，世界！", "naïve café 😀👍🏽 x", "  leading\r\n\ttabs  ", "\u00e9\u0301 combining",
                           "<|im_start|>system\n<think>\n</think>"}) {
    EXPECT_EQ(tok_->decode(tok_->encode(text)), text);
  }
}

TEST_P(QwenTokenizerTest, NormalizesToNfc) {
  EXPECT_EQ(tok_->encode("cafe\u0301"), tok_->encode("caf\u00e9"));
  EXPECT_EQ(tok_->decode(tok_->encode("cafe\u0301")), "caf\u00e9");
}

TEST_P(QwenTokenizerTest, RejectsInvalidInputAndIds) {
  EXPECT_THROW(tok_->encode("bad \xFF byte"), Error);
  EXPECT_THROW(tok_->decode(Ids{-1}), Error);
  EXPECT_THROW(tok_->decode(Ids{static_cast<TokenId>(tok_->vocab_size())}), Error);
  EXPECT_EQ(tok_->decode_text(Ids{tok_->encode("中")[0]}), "中");
}

TEST_P(QwenTokenizerTest, KnowsItsAddedTokens) {
  EXPECT_EQ(tok_->added_token_id("<|im_end|>"), 151645);
  EXPECT_EQ(tok_->added_token_id("<|im_end"), std::nullopt);
  EXPECT_GE(tok_->vocab_size(), 151646u);
}

INSTANTIATE_TEST_SUITE_P(BothFormats, QwenTokenizerTest, ::testing::Values("tokenizer.json", "qwen.tiktoken"));

TEST(QwenTokenizerFormats, TiktokenHasTheV1SpecialTokens) {
  const auto file = tokenizer_testdata() / "qwen.tiktoken";
  ASSERT_TRUE(have_testdata_file(file));
  const Tokenizer tok = Tokenizer::from_tiktoken(file);
  EXPECT_EQ(tok.format(), TokenizerFormat::kTiktoken);
  EXPECT_EQ(tok.added_token_id("<|extra_0|>"), 151646);
  EXPECT_EQ(tok.added_token_id("<|extra_204|>"), 151850);
  EXPECT_EQ(tok.vocab_size(), 151851u);
}

// Hugging Face tokenizers normalizes with Unicode 9.0 tables: U+1DF6 (Unicode 10) is a plain starter
// there, so the acute accent after it stays after it. These ids are what tokenizers 0.23.2 gives.
// Qwen v1 normalizes with Python's current tables, which move the accent onto the 'a'.
TEST(QwenTokenizerFormats, NormalizeAsEachReferenceImplementationDoes) {
  const auto json_file = tokenizer_testdata() / "tokenizer.json";
  const auto tiktoken_file = tokenizer_testdata() / "qwen.tiktoken";
  ASSERT_TRUE(have_testdata_file(json_file));
  ASSERT_TRUE(have_testdata_file(tiktoken_file));
  const std::string text = "a\u1DF6\u0301";
  EXPECT_EQ(Tokenizer::from_tokenizer_json(json_file).encode(text), (Ids{64, 157, 115, 114, 53839}));
  const Tokenizer v1 = Tokenizer::from_tiktoken(tiktoken_file);
  EXPECT_EQ(v1.decode(v1.encode(text)), "\u00e1\u1DF6");
}

class BadTokenizerFiles : public ::testing::Test {
 protected:
  std::filesystem::path write(const std::string& name, const std::string& content) {
    const auto dir = std::filesystem::temp_directory_path() / "qwenrt_bad_tokenizer";
    std::filesystem::create_directories(dir);
    const auto path = dir / name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  static std::string message_of(const std::function<void()>& f) {
    try {
      f();
    } catch (const Error& e) {
      return e.what();
    }
    return "(no error)";
  }
};

TEST_F(BadTokenizerFiles, ErrorsNameTheFileAndTheProblem) {
  const auto corrupt = write("corrupt.json", "{\"model\": {\"vocab\": ");
  EXPECT_NE(message_of([&] { Tokenizer::from_tokenizer_json(corrupt); }).find("corrupt.json: invalid JSON"), std::string::npos);
  const auto no_model = write("no_model.json", "{}");
  EXPECT_NE(message_of([&] { Tokenizer::from_tokenizer_json(no_model); }).find("model: missing"), std::string::npos);
  const auto wordpiece = write("wordpiece.json", R"({"model": {"type": "WordPiece", "vocab": {}}})");
  EXPECT_NE(message_of([&] { Tokenizer::from_tokenizer_json(wordpiece); }).find("unsupported 'WordPiece'"), std::string::npos);
  const auto bad_line = write("bad.tiktoken", "IQ== 0\nnot-base64! 1\n");
  EXPECT_NE(message_of([&] { Tokenizer::from_tiktoken(bad_line); }).find("bad.tiktoken:2: invalid base64"), std::string::npos);
  EXPECT_NE(message_of([&] { Tokenizer::from_directory("/nonexistent/model"); }).find("not a directory"), std::string::npos);
  EXPECT_NE(message_of([&] { Tokenizer::from_directory(std::filesystem::temp_directory_path() / "qwenrt_bad_tokenizer"); })
                .find("neither tokenizer.json nor qwen.tiktoken"),
            std::string::npos);
}

}  // namespace
}  // namespace qwenrt::tokenizer
