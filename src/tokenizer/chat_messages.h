// The messages of a chat request, as the chat templates read them, and their parsing from the
// OpenAI-style JSON a client sends (`messages`, `tools`).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qwenrt::tokenizer {

enum class ChatRole { kSystem, kUser, kAssistant, kTool };

// "system", "user", "assistant", "tool": the names the templates write after <|im_start|>.
std::string_view role_name(ChatRole role);

struct ToolCall {
  std::string id;
  std::string name;
  // The arguments as a JSON value (the form Hugging Face's templates expect), or a string when the
  // client's argument string is not valid JSON: templates then write the string as given.
  nlohmann::ordered_json arguments;
};

struct ChatMessage {
  ChatRole role = ChatRole::kUser;
  std::string content;
  std::optional<std::string> reasoning_content;  // the thinking of an earlier assistant turn (Qwen3)
  std::vector<ToolCall> tool_calls;              // assistant messages only
  std::string tool_call_id;                      // tool messages: the call answered (templates ignore it)
  std::string name;                              // optional participant name (templates ignore it)
};

// Parses an OpenAI `messages` array: each message {role, content, reasoning_content?, tool_calls?,
// tool_call_id?, name?}. content is a string, null (read as ""), or an array of {type: "text", text}
// parts joined with "\n" as vLLM joins them. A tool call is {id?, type?: "function", function: {name,
// arguments}} with arguments a JSON string (OpenAI style, parsed here as vLLM does before templating)
// or a JSON value. Role "developer" (OpenAI's newer name) is read as system. Throws Error naming the
// field, e.g. `messages[2].role: expected a string`.
std::vector<ChatMessage> parse_chat_messages(const nlohmann::ordered_json& messages);

// Checks an OpenAI `tools` array (null reads as none) and returns it unchanged: the templates write each
// tool's JSON as given. Throws Error naming the field.
nlohmann::ordered_json parse_chat_tools(const nlohmann::ordered_json& tools);

}  // namespace qwenrt::tokenizer
