#include "tokenizer/chat_messages.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace qwenrt::tokenizer {
namespace {

using nlohmann::ordered_json;

std::string parse_error(const char* messages_json) {
  try {
    parse_chat_messages(ordered_json::parse(messages_json));
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(ChatMessages, ParsesOpenAiMessages) {
  const auto messages = parse_chat_messages(ordered_json::parse(R"([
    {"role": "developer", "content": "Be brief."},
    {"role": "user", "content": [{"type": "text", "text": "Part one."}, {"type": "text", "text": "Part two."}],
     "name": "alice"},
    {"role": "assistant", "content": null, "reasoning_content": "Call it.", "tool_calls": [
      {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{\"z\": 1, \"a\": [2.5, \"x\"]}"}},
      {"id": "call_2", "type": "function", "function": {"name": "g", "arguments": {"k": "v"}}},
      {"function": {"name": "h", "arguments": "not json {"}}]},
    {"role": "tool", "tool_call_id": "call_1", "content": "42"}
  ])"));
  ASSERT_EQ(messages.size(), 4u);
  EXPECT_EQ(messages[0].role, ChatRole::kSystem);
  EXPECT_EQ(messages[0].content, "Be brief.");
  EXPECT_EQ(messages[1].content, "Part one.\nPart two.");
  EXPECT_EQ(messages[1].name, "alice");
  EXPECT_FALSE(messages[1].reasoning_content.has_value());
  const ChatMessage& assistant = messages[2];
  EXPECT_EQ(assistant.content, "");
  EXPECT_EQ(assistant.reasoning_content, "Call it.");
  ASSERT_EQ(assistant.tool_calls.size(), 3u);
  EXPECT_EQ(assistant.tool_calls[0].id, "call_1");
  EXPECT_EQ(assistant.tool_calls[0].name, "f");
  // The argument string is decoded, keeping key order and number kinds.
  EXPECT_EQ(assistant.tool_calls[0].arguments.dump(), R"({"z":1,"a":[2.5,"x"]})");
  EXPECT_EQ(assistant.tool_calls[1].arguments, ordered_json::parse(R"({"k": "v"})"));
  EXPECT_EQ(assistant.tool_calls[2].arguments, ordered_json("not json {"));
  EXPECT_EQ(messages[3].role, ChatRole::kTool);
  EXPECT_EQ(messages[3].tool_call_id, "call_1");
  EXPECT_EQ(role_name(messages[3].role), "tool");
}

TEST(ChatMessages, ErrorsNameTheField) {
  EXPECT_EQ(parse_error(R"({"role": "user"})"), "messages: expected an array, got an object");
  EXPECT_EQ(parse_error("[]"), "messages: expected at least one message");
  EXPECT_EQ(parse_error(R"([{"role": "user", "content": "a"}, "hi"])"), "messages[1]: expected an object, got a string");
  EXPECT_EQ(parse_error(R"([{"content": "a"}])"), "messages[0].role: missing");
  EXPECT_EQ(parse_error(R"([{"role": "user"}, {"role": "user"}, {"role": 3}])"),
            "messages[2].role: expected a string, got a number");
  EXPECT_EQ(parse_error(R"([{"role": "bot", "content": "a"}])"),
            "messages[0].role: unknown role \"bot\" (expected system, user, assistant or tool)");
  EXPECT_EQ(parse_error(R"([{"role": "user", "content": 5}])"),
            "messages[0].content: expected a string or an array of text parts, got a number");
  EXPECT_EQ(parse_error(R"([{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}])"),
            "messages[0].content[0].type: unsupported content part \"image_url\" (only \"text\" parts)");
  EXPECT_EQ(parse_error(R"([{"role": "user", "content": [{"type": "text"}]}])"), "messages[0].content[0].text: missing");
  EXPECT_EQ(parse_error(R"([{"role": "assistant", "reasoning_content": []}])"),
            "messages[0].reasoning_content: expected a string, got an array");
  EXPECT_EQ(parse_error(R"([{"role": "user", "tool_calls": []}])"),
            "messages[0].tool_calls: only assistant messages have tool calls");
  EXPECT_EQ(parse_error(R"([{"role": "assistant", "tool_calls": {}}])"),
            "messages[0].tool_calls: expected an array, got an object");
  EXPECT_EQ(parse_error(R"([{"role": "assistant", "tool_calls": [{"id": "x"}]}])"),
            "messages[0].tool_calls[0].function: missing");
  EXPECT_EQ(parse_error(R"([{"role": "assistant", "tool_calls": [{"function": {"arguments": "{}"}}]}])"),
            "messages[0].tool_calls[0].function.name: missing");
  EXPECT_EQ(parse_error(R"([{"role": "assistant", "tool_calls": [{"function": {"name": "f"}}]}])"),
            "messages[0].tool_calls[0].function.arguments: missing");
  EXPECT_EQ(parse_error(R"([{"role": "assistant", "tool_calls": [{"type": "code", "function": {"name": "f", "arguments": ""}}]}])"),
            "messages[0].tool_calls[0].type: unsupported tool call type \"code\"");
  EXPECT_EQ(parse_error(R"([{"role": "tool", "content": "x", "tool_call_id": 7}])"),
            "messages[0].tool_call_id: expected a string, got a number");
}

TEST(ChatMessages, ParsesTools) {
  EXPECT_TRUE(parse_chat_tools(nullptr).empty());
  const auto tools = ordered_json::parse(R"([{"type": "function", "function": {"name": "f"}}])");
  EXPECT_EQ(parse_chat_tools(tools), tools);
  try {
    parse_chat_tools(ordered_json::parse(R"([{}, 3])"));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "tools[1]: expected an object, got a number");
  }
  EXPECT_THROW(parse_chat_tools(ordered_json("f")), Error);
}

}  // namespace
}  // namespace qwenrt::tokenizer
