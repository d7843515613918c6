// Qwen2.5-Instruct's chat template, natively.
#include "tokenizer/chat_renderers.h"
#include "tokenizer/python_json.h"

namespace qwenrt::tokenizer {

void write_tool_response(std::span<const ChatMessage> messages, std::size_t i, PromptWriter& out) {
  if (i == 0 || messages[i - 1].role != ChatRole::kTool) out.markup("<|im_start|>user");
  out.markup("\n<tool_response>\n");
  out.content(messages[i].content);
  out.markup("\n</tool_response>");
  if (i + 1 == messages.size() || messages[i + 1].role != ChatRole::kTool) out.markup("<|im_end|>\n");
}

void render_qwen2_5(std::span<const ChatMessage> messages, const ChatOptions& options,
                    const std::string& default_system, PromptWriter& out) {
  const bool has_system = messages.front().role == ChatRole::kSystem;
  if (!options.tools.empty()) {
    out.markup("<|im_start|>system\n");
    if (has_system) {
      out.content(messages.front().content);
    } else {
      out.markup(default_system);
    }
    out.markup("\n\n");
    write_tools_section(options.tools, out);
  } else if (has_system) {
    write_turn("system", messages.front().content, out);
  } else {
    out.markup("<|im_start|>system\n" + default_system + "<|im_end|>\n");
  }

  for (std::size_t i = 0; i < messages.size(); ++i) {
    const ChatMessage& message = messages[i];
    switch (message.role) {
      case ChatRole::kSystem:
        if (i != 0) write_turn("system", message.content, out);
        break;
      case ChatRole::kUser: write_turn("user", message.content, out); break;
      case ChatRole::kAssistant:
        if (message.tool_calls.empty()) {
          write_turn("assistant", message.content, out);
          break;
        }
        out.markup("<|im_start|>assistant");
        if (!message.content.empty()) {
          out.markup("\n");
          out.content(message.content);
        }
        for (const ToolCall& call : message.tool_calls) {
          out.markup("\n<tool_call>\n{\"name\": \"");
          out.content(call.name);
          out.markup("\", \"arguments\": ");
          out.content(python_json_dumps(call.arguments));  // a string argument is written as a JSON string
          out.markup("}\n</tool_call>");
        }
        out.markup("<|im_end|>\n");
        break;
      case ChatRole::kTool:
        write_tool_response(messages, i, out);
        break;
    }
  }
  if (options.add_generation_prompt) out.markup("<|im_start|>assistant\n");
}

}  // namespace qwenrt::tokenizer
