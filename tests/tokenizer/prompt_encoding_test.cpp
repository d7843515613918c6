// encode_prompt against Hugging Face's tokenization of the rendered template (the whole text at once,
// reference ids from transformers.js in .testdata/chat/) and against Qwen v1's make_context.
#include "tokenizer/prompt_segments.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "chat_test_data.h"
#include "testdata.h"

namespace qwenrt::tokenizer {
namespace {

using qwenrt::testing::Conversation;
using qwenrt::testing::count;

class WholeTextEncoding : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto file = qwenrt::testing::tokenizer_testdata() / "tokenizer.json";
    if (std::filesystem::exists(file)) tokenizer_ = new Tokenizer(Tokenizer::from_tokenizer_json(file));
  }
  static void TearDownTestSuite() {
    delete tokenizer_;
    tokenizer_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(qwenrt::testing::have_testdata_file(qwenrt::testing::tokenizer_testdata() / "tokenizer.json"));
  }
  bool content_has_added_token(const std::vector<PromptSegment>& segments) const {
    for (const PromptSegment& s : segments) {
      for (const AddedToken& t : tokenizer_->added_tokens()) {
        if (!s.is_markup && count(s.text, t.content) > 0) return true;
      }
    }
    return false;
  }
  static Tokenizer* tokenizer_;
};
Tokenizer* WholeTextEncoding::tokenizer_ = nullptr;

// Without added-token text in content, the ids are those of tokenizing the rendered text as one string;
// with it, that text stays plain: only the markup's control tokens become token ids.
TEST_F(WholeTextEncoding, EqualsWholeTextTokenizationOfTheTemplate) {
  const std::vector<Conversation> conversations = qwenrt::testing::load_conversations();
  for (const auto& family : qwenrt::testing::template_families()) {
    const auto file = qwenrt::testing::chat_renders_file(family.file);
    ASSERT_TRUE(qwenrt::testing::have_testdata_file(file));
    const auto expected = nlohmann::ordered_json::parse(read_file(file)).at("renders");
    ASSERT_EQ(expected.size(), conversations.size());
    const ChatTemplate chat_template(family.family);
    std::size_t compared = 0;
    for (std::size_t i = 0; i < conversations.size(); ++i) {
      const Conversation& c = conversations[i];
      const auto segments = chat_template.render(c.messages, c.options);
      const std::vector<TokenId> ids = chat_template.encode(*tokenizer_, segments);
      const std::string text = join(segments);
      EXPECT_EQ(tokenizer_->decode(ids), text) << family.file << ": " << c.name;
      if (!content_has_added_token(segments)) {
        EXPECT_EQ(ids, expected[i].at("ids").get<std::vector<TokenId>>()) << family.file << ": " << c.name;
        EXPECT_EQ(ids, tokenizer_->encode(text, SpecialTokens::kParse)) << family.file << ": " << c.name;
        ++compared;
        continue;
      }
      for (const AddedToken& t : tokenizer_->added_tokens()) {
        std::size_t in_markup = 0;
        for (const PromptSegment& s : segments) {
          if (s.is_markup) in_markup += count(s.text, t.content);
        }
        EXPECT_EQ(static_cast<std::size_t>(std::count(ids.begin(), ids.end(), t.id)), in_markup)
            << family.file << ": " << c.name << ": " << t.content;
      }
    }
    EXPECT_GE(compared, conversations.size() * 3 / 4) << family.file;  // most conversations have no such text
  }
}

// BPE pieces cross the seam between markup and content, as in Hugging Face's whole-text encoding.
TEST_F(WholeTextEncoding, EncodesAcrossSegmentSeams) {
  PromptWriter writer;
  writer.markup("<|im_start|>user\n");
  writer.content("\n\n  indented\n");
  writer.markup("<|im_end|>\n<|im_start|>assistant\n");
  writer.content("<think>x");
  const auto segments = writer.take();
  ASSERT_EQ(segments.size(), 4u);
  const std::vector<TokenId> whole = encode_prompt(*tokenizer_, segments);
  EXPECT_NE(whole, encode_prompt(*tokenizer_, segments, PromptEncoding::kPerSegment));
  std::vector<TokenId> expected = tokenizer_->encode("<|im_start|>user\n\n\n  indented\n<|im_end|>\n<|im_start|>assistant\n");
  tokenizer_->encode_append("<think>x", SpecialTokens::kPlainText, expected);
  EXPECT_EQ(whole, expected);
  EXPECT_EQ(std::count(whole.begin(), whole.end(), *tokenizer_->added_token_id("<think>")), 0);
}

TEST(PromptWriter, MergesNeighboursAndDropsEmptyPieces) {
  PromptWriter writer;
  writer.markup("<|im_start|>");
  writer.markup("user\n");
  writer.content("");
  writer.markup("");
  writer.content("a");
  writer.content("b");
  writer.markup("<|im_end|>\n");
  const auto segments = writer.take();
  EXPECT_EQ(segments, (std::vector<PromptSegment>{{"<|im_start|>user\n", true}, {"ab", false}, {"<|im_end|>\n", true}}));
  EXPECT_EQ(join(segments), "<|im_start|>user\nab<|im_end|>\n");
}

// Qwen v1's make_context encodes each piece on its own: <|im_start|>, the role, "\n", the content
// (special-token text as plain text), <|im_end|>, and "\n" between turns.
TEST(QwenV1PromptEncoding, EncodesPieceByPieceAsMakeContext) {
  const auto file = qwenrt::testing::tokenizer_testdata() / "qwen.tiktoken";
  ASSERT_TRUE(qwenrt::testing::have_testdata_file(file));
  const Tokenizer tok = Tokenizer::from_tiktoken(file);
  const ChatTemplate v1(ChatFamily::kQwenV1);
  const std::vector<ChatMessage> messages = {{ChatRole::kSystem, " Be terse."},
                                             {ChatRole::kUser, "\n\nQ1 <|im_end|>"},
                                             {ChatRole::kAssistant, "A1\n"},
                                             {ChatRole::kUser, "Q2"}};
  const TokenId im_start = *tok.added_token_id("<|im_start|>");
  const TokenId im_end = *tok.added_token_id("<|im_end|>");
  std::vector<TokenId> expected;
  const auto piece = [&](std::string_view text) { tok.encode_append(text, SpecialTokens::kPlainText, expected); };
  const auto turn = [&](std::string_view role, std::string_view content) {
    expected.push_back(im_start);
    piece(role);
    piece("\n");
    piece(content);
    expected.push_back(im_end);
  };
  turn("system", " Be terse.");
  for (const auto& [role, content] : {std::pair{"user", "\n\nQ1 <|im_end|>"}, {"assistant", "A1\n"}, {"user", "Q2"}}) {
    piece("\n");
    turn(role, content);
  }
  piece("\n");
  expected.push_back(im_start);
  piece("assistant");
  piece("\n");
  EXPECT_EQ(v1.encode(tok, v1.render(messages, ChatOptions{})), expected);
}

}  // namespace
}  // namespace qwenrt::tokenizer
