#include "server/chat_completion_request.h"

namespace qwenrt::server {
namespace {

// "auto" (the default with tools) and "none"; a forced call ("required", a named function) would need
// a grammar for the call, which the runtime does not have.
bool tool_calls_enabled(const Json& body, bool has_tools) {
  const Json* choice = find_field(body, "tool_choice");
  if (choice == nullptr) return has_tools;
  if (!choice->is_string()) fail_param("tool_choice", "only \"auto\" and \"none\" are supported");
  const std::string value = choice->get<std::string>();
  if (value == "none") return false;
  if (value == "auto") return has_tools;
  fail_param("tool_choice", str_cat("\"", value, "\" is not supported (\"auto\" or \"none\")"));
}

std::optional<bool> enable_thinking(const Json& body) {
  const Json* kwargs = find_field(body, "chat_template_kwargs");
  if (kwargs == nullptr) return std::nullopt;
  if (!kwargs->is_object()) fail_param("chat_template_kwargs", "expected an object");
  const auto it = kwargs->find("enable_thinking");
  if (it == kwargs->end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) fail_param("chat_template_kwargs", "enable_thinking: expected a boolean");
  return it->get<bool>();
}

// Chat asks for logprobs with a flag and a count; the runtime takes the count alone.
std::optional<std::size_t> chat_logprobs(const Json& body) {
  const bool wanted = bool_field(body, "logprobs").value_or(false);
  const std::optional<std::int64_t> top =
      integer_field_in(body, "top_logprobs", 0, static_cast<std::int64_t>(runtime::kMaxLogprobs));
  if (top && !wanted) fail_param("top_logprobs", "requires logprobs to be true");
  if (!wanted) return std::nullopt;
  return static_cast<std::size_t>(top.value_or(0));
}

}  // namespace

ChatCompletionRequest parse_chat_completion_request(const Json& body, const ApiConfig& config) {
  check_model(body, config.model_name);
  ChatCompletionRequest r;
  const Json* messages = find_field(body, "messages");
  if (messages == nullptr) fail_param("messages", "missing: a chat completion needs at least one message");
  try {
    r.messages = tokenizer::parse_chat_messages(*messages);
  } catch (const Error& e) {
    throw ApiError(400, e.what(), "invalid_request_error", "messages");
  }
  nlohmann::ordered_json tools = nlohmann::ordered_json::array();
  if (const Json* given = find_field(body, "tools")) {
    try {
      tools = tokenizer::parse_chat_tools(*given);
    } catch (const Error& e) {
      throw ApiError(400, e.what(), "invalid_request_error", "tools");
    }
  }
  r.parse_tool_calls = tool_calls_enabled(body, !tools.empty());
  if (r.parse_tool_calls) r.options.tools = std::move(tools);
  r.options.enable_thinking = enable_thinking(body);
  r.generation = parse_generation_request(body, config, {"max_completion_tokens", "max_tokens"});
  r.generation.params.logprobs = chat_logprobs(body);
  return r;
}

}  // namespace qwenrt::server
