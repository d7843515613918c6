// Qwen3's chat template, natively: thinking blocks, reasoning kept only for the turns after the last
// user query, tools, and tool responses grouped into user turns.
#include "tokenizer/chat_renderers.h"
#include "tokenizer/python_json.h"

namespace qwenrt::tokenizer {
namespace {

constexpr std::string_view kThinkOpen = "<think>";
constexpr std::string_view kThinkClose = "</think>";

std::string_view lstrip_newlines(std::string_view s) {
  const std::size_t start = s.find_first_not_of('\n');
  return start == std::string_view::npos ? std::string_view{} : s.substr(start);
}

std::string_view rstrip_newlines(std::string_view s) {
  const std::size_t end = s.find_last_not_of('\n');
  return end == std::string_view::npos ? std::string_view{} : s.substr(0, end + 1);
}

std::string_view after_last(std::string_view s, std::string_view separator) {
  const std::size_t at = s.rfind(separator);
  return at == std::string_view::npos ? s : s.substr(at + separator.size());
}

// A user message holding only a tool response does not count as the user's query.
bool is_query(const ChatMessage& message) {
  if (message.role != ChatRole::kUser) return false;
  const std::string_view content = message.content;
  return !(content.starts_with("<tool_response>") && content.ends_with("</tool_response>"));
}

struct AssistantText {
  std::string_view reasoning;
  std::string_view content;
};

// reasoning_content when given, else the thinking the model wrote inside the content: the text before
// the first </think> after its last <think>, and the answer after the last </think>.
AssistantText split_reasoning(const ChatMessage& message) {
  const std::string_view content = message.content;
  if (message.reasoning_content) return {*message.reasoning_content, content};
  const std::size_t close = content.find(kThinkClose);
  if (close == std::string_view::npos) return {{}, content};
  const std::string_view thinking = after_last(rstrip_newlines(content.substr(0, close)), kThinkOpen);
  return {lstrip_newlines(thinking), lstrip_newlines(after_last(content, kThinkClose))};
}

void write_assistant(const ChatMessage& message, bool keep_reasoning, PromptWriter& out) {
  const AssistantText text = split_reasoning(message);
  if (keep_reasoning) {
    out.markup("<|im_start|>assistant\n<think>\n");
    out.content(lstrip_newlines(rstrip_newlines(text.reasoning)));
    out.markup("\n</think>\n\n");
    out.content(lstrip_newlines(text.content));
  } else {
    out.markup("<|im_start|>assistant\n");
    out.content(text.content);
  }
  for (std::size_t j = 0; j < message.tool_calls.size(); ++j) {
    const ToolCall& call = message.tool_calls[j];
    if (j > 0 || !text.content.empty()) out.markup("\n");
    out.markup("<tool_call>\n{\"name\": \"");
    out.content(call.name);
    out.markup("\", \"arguments\": ");
    out.content(call.arguments.is_string() ? call.arguments.get<std::string>() : python_json_dumps(call.arguments));
    out.markup("}\n</tool_call>");
  }
  out.markup("<|im_end|>\n");
}

}  // namespace

void render_qwen3(std::span<const ChatMessage> messages, const ChatOptions& options, PromptWriter& out) {
  const bool has_system = messages.front().role == ChatRole::kSystem;
  if (!options.tools.empty()) {
    out.markup("<|im_start|>system\n");
    if (has_system) {
      out.content(messages.front().content);
      out.markup("\n\n");
    }
    write_tools_section(options.tools, out);
  } else if (has_system) {
    write_turn("system", messages.front().content, out);
  }

  std::size_t last_query = messages.size() - 1;
  for (std::size_t i = messages.size(); i-- > 0;) {
    if (is_query(messages[i])) {
      last_query = i;
      break;
    }
  }

  for (std::size_t i = 0; i < messages.size(); ++i) {
    const ChatMessage& message = messages[i];
    switch (message.role) {
      case ChatRole::kSystem:
        if (i != 0) write_turn("system", message.content, out);
        break;
      case ChatRole::kUser: write_turn("user", message.content, out); break;
      case ChatRole::kAssistant: {
        // Thinking is shown for the turns answering the last query: always for the final message, for
        // earlier ones (multi-step tool use) when they have any.
        const bool after_query = i > last_query;
        const bool last = i + 1 == messages.size();
        write_assistant(message, after_query && (last || !split_reasoning(message).reasoning.empty()), out);
        break;
      }
      case ChatRole::kTool:
        write_tool_response(messages, i, out);
        break;
    }
  }
  if (options.add_generation_prompt) {
    out.markup("<|im_start|>assistant\n");
    if (options.enable_thinking == false) out.markup("<think>\n\n</think>\n\n");
  }
}

}  // namespace qwenrt::tokenizer
