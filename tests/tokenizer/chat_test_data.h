// The chat template test data: the conversations (tests/data/chat_conversations.json), the verbatim
// templates (tests/data/chat_templates/), and what the real Jinja templates render for them
// (.testdata/chat/<family>.json, written by tests/js/render_chat.mjs).
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "core/file_io.h"
#include "tokenizer/chat_template.h"

namespace qwenrt::testing {

// Occurrences of needle in haystack, overlapping ones included.
inline std::size_t count(std::string_view haystack, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t at = haystack.find(needle); at != std::string_view::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

inline std::filesystem::path chat_templates_dir() {
  return std::filesystem::path(QWENRT_SOURCE_DIR) / "tests" / "data" / "chat_templates";
}

inline std::filesystem::path chat_renders_file(const std::string& family_file) {
  return std::filesystem::path(QWENRT_TESTDATA_DIR) / "chat" / (family_file + ".json");
}

// The families with a Jinja template under tests/data/chat_templates, by file name.
struct TemplateFamily {
  const char* file;  // without .jinja
  tokenizer::ChatFamily family;
};
inline const std::vector<TemplateFamily>& template_families() {
  static const std::vector<TemplateFamily> families = {
      {"chatml", tokenizer::ChatFamily::kChatML},
      {"qwen2", tokenizer::ChatFamily::kQwen2},
      {"qwen2_5", tokenizer::ChatFamily::kQwen2_5},
      {"qwen3", tokenizer::ChatFamily::kQwen3},
  };
  return families;
}

struct Conversation {
  std::string name;
  std::vector<tokenizer::ChatMessage> messages;
  tokenizer::ChatOptions options;
};

inline std::vector<Conversation> load_conversations() {
  const auto file = std::filesystem::path(QWENRT_SOURCE_DIR) / "tests" / "data" / "chat_conversations.json";
  const auto all = nlohmann::ordered_json::parse(read_file(file));
  std::vector<Conversation> out;
  for (const auto& c : all) {
    Conversation conversation{c.at("name").get<std::string>(), tokenizer::parse_chat_messages(c.at("messages")), {}};
    conversation.options.add_generation_prompt = c.value("add_generation_prompt", true);
    if (c.contains("enable_thinking")) conversation.options.enable_thinking = c["enable_thinking"].get<bool>();
    conversation.options.tools = tokenizer::parse_chat_tools(c.value("tools", nlohmann::ordered_json()));
    out.push_back(std::move(conversation));
  }
  return out;
}

}  // namespace qwenrt::testing
