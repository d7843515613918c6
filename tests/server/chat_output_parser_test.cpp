// The parsers of a chat answer (Qwen3 thinking, Hermes tool calls) fed the way the engine feeds them:
// the text of real Qwen tokens one at a time, and every other way of cutting the same text, which must
// all give the same reasoning, content and calls.
#include "server/chat_output_parser.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "runtime/serving_test_support.h"
#include "tokenizer/streaming_detokenizer.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::server {
namespace {

struct Answer {
  std::string reasoning;
  std::string content;
  std::vector<ParsedToolCall> calls;
};

void add(Answer& answer, ChatDelta delta) {
  answer.reasoning += delta.reasoning;
  answer.content += delta.content;
  for (auto& c : delta.tool_calls) answer.calls.push_back(std::move(c));
}

Answer parse_pieces(const std::vector<std::string>& pieces, bool reasoning, bool tools) {
  ChatOutputParser parser(reasoning, tools);
  Answer answer;
  for (const std::string& piece : pieces) add(answer, parser.feed(piece));
  add(answer, parser.finish());
  return answer;
}

const tokenizer::Tokenizer& qwen_tokenizer() {
  static const std::unique_ptr<tokenizer::Tokenizer> tokenizer = runtime::serving_test::load_test_tokenizer();
  if (!tokenizer) throw std::runtime_error("missing the Qwen tokenizer: run scripts/make_testdata.sh");
  return *tokenizer;
}

// The text as the engine streams it: one piece per token of the real vocabulary (<think> and
// <tool_call> are single added tokens there).
std::vector<std::string> token_pieces(const std::string& text) {
  tokenizer::StreamingDetokenizer detokenizer(qwen_tokenizer());
  std::vector<std::string> pieces;
  for (const tokenizer::TokenId id : qwen_tokenizer().encode(text)) pieces.push_back(detokenizer.push(id));
  pieces.push_back(detokenizer.finish());
  return pieces;
}

// Parses text token by token, whole, byte by byte and in every two-piece split, checks they all agree,
// and returns the answer.
Answer parse_every_way(const std::string& text, bool reasoning, bool tools) {
  const Answer by_token = parse_pieces(token_pieces(text), reasoning, tools);
  std::vector<std::vector<std::string>> cuts = {{text}, {}};
  for (const char c : text) cuts[1].push_back(std::string(1, c));
  for (std::size_t i = 1; i < text.size(); ++i) cuts.push_back({text.substr(0, i), text.substr(i)});
  for (const auto& cut : cuts) {
    const Answer other = parse_pieces(cut, reasoning, tools);
    EXPECT_EQ(other.reasoning, by_token.reasoning) << "cut into " << cut.size();
    EXPECT_EQ(other.content, by_token.content) << "cut into " << cut.size();
    EXPECT_EQ(other.calls.size(), by_token.calls.size()) << "cut into " << cut.size();
  }
  return by_token;
}

TEST(ChatOutputParser, ThinkingBecomesReasoningAndTheRestContent) {
  const Answer a = parse_every_way("<think>\nThe user greets me.\n</think>\n\nHello! How can I help?", true, false);
  EXPECT_EQ(a.reasoning, "The user greets me.\n");
  EXPECT_EQ(a.content, "Hello! How can I help?");
}

TEST(ChatOutputParser, AnswerWithoutThinkingIsAllContentAsWritten) {
  const Answer a = parse_every_way("  Plain answer, no <think> here.", true, false);
  EXPECT_EQ(a.reasoning, "");
  EXPECT_EQ(a.content, "  Plain answer, no <think> here.");
}

TEST(ChatOutputParser, UnclosedThinkingIsAllReasoning) {
  const Answer a = parse_every_way("<think>\nstill thinking when the limit came </thi", true, false);
  EXPECT_EQ(a.reasoning, "still thinking when the limit came </thi");
  EXPECT_EQ(a.content, "");
}

TEST(ChatOutputParser, ThinkingOffLeavesTheMarkersInTheContent) {
  const Answer a = parse_every_way("<think>x</think>y", false, false);
  EXPECT_EQ(a.content, "<think>x</think>y");
}

TEST(ChatOutputParser, ToolCallsAreParsedAndTheirFormattingDropped) {
  const std::string text =
      "Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": 2}}\n"
      "</tool_call>\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": \"{\\\"tz\\\": \\\"CET\\\"}\"}\n</tool_call>\n";
  const Answer a = parse_every_way(text, false, true);
  EXPECT_EQ(a.content, "Let me check.");
  ASSERT_EQ(a.calls.size(), 2u);
  EXPECT_EQ(a.calls[0].name, "get_weather");
  EXPECT_EQ(nlohmann::json::parse(a.calls[0].arguments), nlohmann::json({{"city", "Paris"}, {"days", 2}}));
  EXPECT_EQ(a.calls[1].name, "get_time");
  EXPECT_EQ(a.calls[1].arguments, "{\"tz\": \"CET\"}") << "an arguments string is passed on as written";
}

TEST(ChatOutputParser, ThinkingThenToolCall) {
  const Answer a = parse_every_way(
      "<think>\nI need the weather.\n</think>\n\n<tool_call>\n{\"name\": \"w\", \"arguments\": {}}\n</tool_call>", true, true);
  EXPECT_EQ(a.reasoning, "I need the weather.\n");
  EXPECT_EQ(a.content, "");
  ASSERT_EQ(a.calls.size(), 1u);
  EXPECT_EQ(a.calls[0].arguments, "{}");
}

TEST(ChatOutputParser, MalformedOrUnfinishedBlocksStayContent) {
  EXPECT_EQ(parse_every_way("A <tool_call>{not json}</tool_call> B", false, true).content,
            "A<tool_call>{not json}</tool_call> B");
  const Answer unfinished = parse_every_way("<tool_call>\n{\"name\": \"f\", \"argu", false, true);
  EXPECT_TRUE(unfinished.calls.empty());
  EXPECT_EQ(unfinished.content, "<tool_call>\n{\"name\": \"f\", \"argu");
  // A block cut off after a whole call (the length limit hit before </tool_call>) still counts.
  const Answer whole = parse_every_way("<tool_call>\n{\"name\": \"f\", \"arguments\": {\"x\": 1}}\n", false, true);
  ASSERT_EQ(whole.calls.size(), 1u);
  EXPECT_EQ(whole.calls[0].name, "f");
}

TEST(ChatOutputParser, TextThatOnlyLooksLikeATagIsReleased) {
  const Answer a = parse_every_way("a < b and <tool is not a tag", false, true);
  EXPECT_EQ(a.content, "a < b and <tool is not a tag");
  EXPECT_TRUE(a.calls.empty());
}

}  // namespace
}  // namespace qwenrt::server
