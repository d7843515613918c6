// The native renderers behind ChatTemplate, one per template family (internal to the tokenizer).
#pragma once

#include <optional>
#include <span>
#include <string>

#include "tokenizer/chat_messages.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/prompt_segments.h"

namespace qwenrt::tokenizer {

// ChatML turns for every message; with a default system prompt, one goes first when the first message
// is not a system message (Qwen1.5/Qwen2's template), without, this is transformers' ChatML template.
void render_plain_chatml(std::span<const ChatMessage> messages, const ChatOptions& options,
                         const std::optional<std::string>& default_system, PromptWriter& out);
void render_qwen_v1(std::span<const ChatMessage> messages, const ChatOptions& options,
                    const std::string& default_system, PromptWriter& out);
void render_qwen2_5(std::span<const ChatMessage> messages, const ChatOptions& options,
                    const std::string& default_system, PromptWriter& out);
void render_qwen3(std::span<const ChatMessage> messages, const ChatOptions& options, PromptWriter& out);

// The tools section Qwen2.5 and Qwen3 write in the system turn, from "# Tools" to the turn's end: each
// tool's JSON on its own line (content: the caller wrote it) and the <tool_call> instructions.
void write_tools_section(const nlohmann::ordered_json& tools, PromptWriter& out);

// Tool message i as Qwen2.5 and Qwen3 write it: consecutive tool responses share one user turn, each
// inside <tool_response> tags.
void write_tool_response(std::span<const ChatMessage> messages, std::size_t i, PromptWriter& out);
// One ChatML turn: <|im_start|>ROLE\nCONTENT<|im_end|>\n.
void write_turn(std::string_view role, std::string_view content, PromptWriter& out);

}  // namespace qwenrt::tokenizer
