#include "tokenizer/chat_messages.h"

#include "core/error.h"

namespace qwenrt::tokenizer {
namespace {

using nlohmann::ordered_json;

std::string_view json_type(const ordered_json& value) {
  switch (value.type()) {
    case ordered_json::value_t::null: return "null";
    case ordered_json::value_t::object: return "an object";
    case ordered_json::value_t::array: return "an array";
    case ordered_json::value_t::string: return "a string";
    case ordered_json::value_t::boolean: return "a boolean";
    default: return "a number";
  }
}

[[noreturn]] void fail_type(const std::string& field, std::string_view expected, const ordered_json& got) {
  fail(field, ": expected ", expected, ", got ", json_type(got));
}

const ordered_json* member(const ordered_json& object, const char* key) {
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string required_string(const ordered_json& object, const char* key, const std::string& path) {
  const ordered_json* value = member(object, key);
  const std::string field = str_cat(path, ".", key);
  if (value == nullptr) fail(field, ": missing");
  if (!value->is_string()) fail_type(field, "a string", *value);
  return value->get<std::string>();
}

// Absent and null both read as "": a template cannot tell them apart from an empty text either.
std::string optional_string(const ordered_json& object, const char* key, const std::string& path) {
  const ordered_json* value = member(object, key);
  if (value == nullptr || value->is_null()) return {};
  if (!value->is_string()) fail_type(str_cat(path, ".", key), "a string", *value);
  return value->get<std::string>();
}

ChatRole parse_role(const ordered_json& message, const std::string& path) {
  const std::string role = required_string(message, "role", path);
  if (role == "system" || role == "developer") return ChatRole::kSystem;
  if (role == "user") return ChatRole::kUser;
  if (role == "assistant") return ChatRole::kAssistant;
  if (role == "tool") return ChatRole::kTool;
  fail(path, ".role: unknown role \"", role, "\" (expected system, user, assistant or tool)");
}

std::string parse_content(const ordered_json& message, const std::string& path) {
  const ordered_json* content = member(message, "content");
  const std::string field = path + ".content";
  if (content == nullptr || content->is_null()) return {};
  if (content->is_string()) return content->get<std::string>();
  if (!content->is_array()) fail_type(field, "a string or an array of text parts", *content);
  std::string text;
  for (std::size_t i = 0; i < content->size(); ++i) {
    const ordered_json& part = (*content)[i];
    const std::string part_path = str_cat(field, "[", i, "]");
    if (!part.is_object()) fail_type(part_path, "an object", part);
    const std::string type = required_string(part, "type", part_path);
    if (type != "text") fail(part_path, ".type: unsupported content part \"", type, "\" (only \"text\" parts)");
    if (i > 0) text += '\n';
    text += required_string(part, "text", part_path);
  }
  return text;
}

std::optional<std::string> parse_reasoning(const ordered_json& message, const std::string& path) {
  const ordered_json* reasoning = member(message, "reasoning_content");
  if (reasoning == nullptr || reasoning->is_null()) return std::nullopt;
  if (!reasoning->is_string()) fail_type(path + ".reasoning_content", "a string", *reasoning);
  return reasoning->get<std::string>();
}

// OpenAI sends arguments as a JSON-encoded string; Hugging Face's templates expect the decoded value
// (vLLM decodes it the same way). A string that is not JSON is kept as text rather than rejected: it
// is usually a model's own malformed call echoed back, and the template can still show it.
ordered_json parse_arguments(const ordered_json& function, const std::string& path) {
  const ordered_json* arguments = member(function, "arguments");
  if (arguments == nullptr) fail(path, ".arguments: missing");
  if (!arguments->is_string()) return *arguments;
  ordered_json decoded = ordered_json::parse(arguments->get<std::string>(), nullptr, /*allow_exceptions=*/false);
  return decoded.is_discarded() ? *arguments : decoded;
}

std::vector<ToolCall> parse_tool_calls(const ordered_json& message, ChatRole role, const std::string& path) {
  const ordered_json* calls = member(message, "tool_calls");
  const std::string field = path + ".tool_calls";
  if (calls == nullptr || calls->is_null()) return {};
  if (role != ChatRole::kAssistant) fail(field, ": only assistant messages have tool calls");
  if (!calls->is_array()) fail_type(field, "an array", *calls);
  std::vector<ToolCall> out;
  for (std::size_t i = 0; i < calls->size(); ++i) {
    const ordered_json& call = (*calls)[i];
    const std::string call_path = str_cat(field, "[", i, "]");
    if (!call.is_object()) fail_type(call_path, "an object", call);
    const std::string type = optional_string(call, "type", call_path);
    if (!type.empty() && type != "function") fail(call_path, ".type: unsupported tool call type \"", type, "\"");
    const ordered_json* function = member(call, "function");
    const std::string function_path = call_path + ".function";
    if (function == nullptr) fail(function_path, ": missing");
    if (!function->is_object()) fail_type(function_path, "an object", *function);
    out.push_back({optional_string(call, "id", call_path), required_string(*function, "name", function_path),
                   parse_arguments(*function, function_path)});
  }
  return out;
}

}  // namespace

std::string_view role_name(ChatRole role) {
  switch (role) {
    case ChatRole::kSystem: return "system";
    case ChatRole::kUser: return "user";
    case ChatRole::kAssistant: return "assistant";
    case ChatRole::kTool: return "tool";
  }
  return "user";
}

std::vector<ChatMessage> parse_chat_messages(const ordered_json& messages) {
  if (!messages.is_array()) fail_type("messages", "an array", messages);
  if (messages.empty()) fail("messages: expected at least one message");
  std::vector<ChatMessage> out;
  out.reserve(messages.size());
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const ordered_json& message = messages[i];
    const std::string path = str_cat("messages[", i, "]");
    if (!message.is_object()) fail_type(path, "an object", message);
    ChatMessage parsed;
    parsed.role = parse_role(message, path);
    parsed.content = parse_content(message, path);
    parsed.reasoning_content = parse_reasoning(message, path);
    parsed.tool_calls = parse_tool_calls(message, parsed.role, path);
    parsed.tool_call_id = optional_string(message, "tool_call_id", path);
    parsed.name = optional_string(message, "name", path);
    out.push_back(std::move(parsed));
  }
  return out;
}

ordered_json parse_chat_tools(const ordered_json& tools) {
  if (tools.is_null()) return ordered_json::array();
  if (!tools.is_array()) fail_type("tools", "an array", tools);
  for (std::size_t i = 0; i < tools.size(); ++i) {
    if (!tools[i].is_object()) fail_type(str_cat("tools[", i, "]"), "an object", tools[i]);
  }
  return tools;
}

}  // namespace qwenrt::tokenizer
