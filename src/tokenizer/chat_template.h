// Qwen chat templates rendered natively: each family reproduces, byte for byte, what its model's own
// Jinja chat_template renders under transformers' apply_chat_template (and Qwen v1's make_context, which
// has no template), as a list of PromptSegment so that content cannot inject control tokens.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/chat_messages.h"
#include "tokenizer/prompt_segments.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::tokenizer {

enum class ChatFamily {
  kQwenV1,   // Qwen-*-Chat: make_context in qwen_generation_utils.py (ChatML, default system prompt)
  kChatML,   // plain ChatML, no default system prompt: the fallback for templates not recognised
  kQwen2,    // Qwen1.5-Chat and Qwen2-Instruct: ChatML, default "You are a helpful assistant."
  kQwen2_5,  // Qwen2.5-Instruct: default "You are Qwen, ...", tools, <tool_call>, grouped tool responses
  kQwen3,    // Qwen3: thinking (<think>, enable_thinking), reasoning_content, tools
};

// "qwen-v1", "chatml", "qwen2", "qwen2.5", "qwen3".
std::string_view family_name(ChatFamily family);

struct ChatOptions {
  bool add_generation_prompt = true;
  std::optional<bool> enable_thinking;  // Qwen3: false appends an empty <think></think> to the prompt
  nlohmann::ordered_json tools = nlohmann::ordered_json::array();  // OpenAI tool definitions
};

class ChatTemplate {
 public:
  // The family's own template, with its default system prompt.
  explicit ChatTemplate(ChatFamily family);

  // Chooses the template of a model directory: DIR/chat_template.jinja (where newer transformers save
  // it), else the chat_template of DIR/tokenizer_config.json, recognised by from_jinja. A directory
  // with no template but a qwen.tiktoken is Qwen v1. A directory with neither a template nor
  // qwen.tiktoken gets plain ChatML, with a note(). Throws Error naming the file when a file is
  // unreadable or malformed, or when DIR has neither tokenizer_config.json nor qwen.tiktoken.
  static ChatTemplate for_model(const std::filesystem::path& model_dir);

  // Recognises a Jinja chat template. A template qwenrt knows verbatim maps to its family silently.
  // Any other template still renders (every Qwen model speaks ChatML): it maps to the closest family by
  // its distinctive text (Qwen3's enable_thinking/reasoning_content/<think>, Qwen2.5's <tool_call>,
  // Qwen2's default system prompt), else to plain ChatML, and note() says so: the caller should show it,
  // since the template's own differences are not reproduced. A default system prompt the template
  // writes as '<|im_start|>system\n...<|im_end|>\n' replaces the family's (Qwen2.5-Math has its own).
  static ChatTemplate from_jinja(std::string_view source);

  ChatFamily family() const { return family_; }
  const std::optional<std::string>& default_system() const { return default_system_; }
  // Empty for a template known verbatim; else one line on how the family was chosen.
  const std::string& note() const { return note_; }
  PromptEncoding encoding() const;

  // Throws Error when messages is empty, or (Qwen v1) on tools and tool messages, which v1's chat
  // format has no way to write.
  std::vector<PromptSegment> render(std::span<const ChatMessage> messages, const ChatOptions& options) const;
  // encode_prompt with this family's encoding.
  std::vector<TokenId> encode(const Tokenizer& tokenizer, std::span<const PromptSegment> segments) const;

 private:
  ChatFamily family_;
  std::optional<std::string> default_system_;
  std::string note_;
};

}  // namespace qwenrt::tokenizer
