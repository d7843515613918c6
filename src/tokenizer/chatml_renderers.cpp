// The ChatML families without tool support: Qwen v1, Qwen1.5/Qwen2, plain ChatML; and the pieces the
// tool-capable families share.
#include "core/error.h"
#include "tokenizer/chat_renderers.h"
#include "tokenizer/python_json.h"

namespace qwenrt::tokenizer {

void write_turn(std::string_view role, std::string_view content, PromptWriter& out) {
  out.markup("<|im_start|>");
  out.markup(role);
  out.markup("\n");
  out.content(content);
  out.markup("<|im_end|>\n");
}

void write_tools_section(const nlohmann::ordered_json& tools, PromptWriter& out) {
  out.markup(
      "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
      "You are provided with function signatures within <tools></tools> XML tags:\n<tools>");
  for (const auto& tool : tools) {
    out.markup("\n");
    out.content(python_json_dumps(tool));
  }
  out.markup(
      "\n</tools>\n\nFor each function call, return a json object with function name and arguments within "
      "<tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": "
      "<args-json-object>}\n</tool_call><|im_end|>\n");
}

void render_plain_chatml(std::span<const ChatMessage> messages, const ChatOptions& options,
                         const std::optional<std::string>& default_system, PromptWriter& out) {
  if (default_system && messages.front().role != ChatRole::kSystem) {
    out.markup("<|im_start|>system\n" + *default_system + "<|im_end|>\n");
  }
  for (const ChatMessage& message : messages) write_turn(role_name(message.role), message.content, out);
  if (options.add_generation_prompt) out.markup("<|im_start|>assistant\n");
}

// make_context joins the turns with "\n" and ends the last one without it; it always has a system turn.
// Its input is a system prompt, (query, response) pairs and a query: any sequence of system, user and
// assistant messages maps onto that shape, while tools have no place in it.
void render_qwen_v1(std::span<const ChatMessage> messages, const ChatOptions& options,
                    const std::string& default_system, PromptWriter& out) {
  if (!options.tools.empty()) fail("tools: the Qwen v1 chat format has no tool calling");
  std::size_t first = 0;
  out.markup("<|im_start|>system\n");
  if (messages.front().role == ChatRole::kSystem) {
    out.content(messages.front().content);
    first = 1;
  } else {
    out.markup(default_system);
  }
  out.markup("<|im_end|>");
  for (std::size_t i = first; i < messages.size(); ++i) {
    const ChatMessage& message = messages[i];
    if (message.role == ChatRole::kTool) fail("messages[", i, "].role: the Qwen v1 chat format has no tool role");
    if (!message.tool_calls.empty()) fail("messages[", i, "].tool_calls: the Qwen v1 chat format has no tool calls");
    out.markup("\n<|im_start|>");
    out.markup(role_name(message.role));
    out.markup("\n");
    out.content(message.content);
    out.markup("<|im_end|>");
  }
  if (options.add_generation_prompt) out.markup("\n<|im_start|>assistant\n");
}

}  // namespace qwenrt::tokenizer
