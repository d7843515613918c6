#include "tokenizer/chat_template.h"

#include <cstdint>

#include "core/error.h"
#include "core/file_io.h"
#include "tokenizer/chat_renderers.h"

namespace qwenrt::tokenizer {
namespace {

constexpr std::string_view kQwenV1System = "You are a helpful assistant.";
constexpr std::string_view kQwen2System = "You are a helpful assistant.";
constexpr std::string_view kQwen2_5System = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";

std::optional<std::string> family_default_system(ChatFamily family) {
  switch (family) {
    case ChatFamily::kQwenV1: return std::string(kQwenV1System);
    case ChatFamily::kQwen2: return std::string(kQwen2System);
    case ChatFamily::kQwen2_5: return std::string(kQwen2_5System);
    case ChatFamily::kChatML:
    case ChatFamily::kQwen3: return std::nullopt;
  }
  return std::nullopt;
}

// The templates qwenrt reproduces verbatim (tests/data/chat_templates/), by FNV-1a hash and length of
// their text without the one trailing newline Jinja drops anyway.
struct KnownTemplate {
  std::uint64_t hash;
  std::size_t length;
  ChatFamily family;
};
constexpr KnownTemplate kKnownTemplates[] = {
    {0xa41d6bae9b9141bcULL, 199, ChatFamily::kChatML},   // transformers' ChatML
    {0x75e88977b2787cd7ULL, 333, ChatFamily::kQwen2},    // Qwen1.5-Chat, Qwen2-Instruct
    {0xe642ce246d7f2e3dULL, 2506, ChatFamily::kQwen2_5}, // Qwen2.5-Instruct
    {0x2bfdb7aa9754484eULL, 4116, ChatFamily::kQwen3},   // Qwen3
};

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char ch : text) {
    hash ^= static_cast<unsigned char>(ch);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::optional<ChatFamily> known_family(std::string_view source) {
  if (source.ends_with('\n')) source.remove_suffix(1);
  const std::uint64_t hash = fnv1a(source);
  for (const KnownTemplate& known : kKnownTemplates) {
    if (known.hash == hash && known.length == source.size()) return known.family;
  }
  return std::nullopt;
}

// Jinja string-literal escapes, as far as a system prompt uses them.
std::string unescape_jinja(std::string_view literal) {
  std::string out;
  for (std::size_t i = 0; i < literal.size(); ++i) {
    if (literal[i] != '\\' || i + 1 == literal.size()) {
      out += literal[i];
      continue;
    }
    const char next = literal[++i];
    out += next == 'n' ? '\n' : next == 't' ? '\t' : next;
  }
  return out;
}

// The text of a literal '<|im_start|>system\n...<|im_end|>\n' (either quote): the default system
// prompt a Qwen2-style template writes when the conversation has none.
std::optional<std::string> literal_default_system(std::string_view source) {
  for (const char quote : {'\'', '"'}) {
    const std::string open = std::string(1, quote) + "<|im_start|>system\\n";
    const std::string close = "<|im_end|>\\n" + std::string(1, quote);
    for (std::size_t at = source.find(open); at != std::string_view::npos; at = source.find(open, at + 1)) {
      const std::size_t begin = at + open.size();
      const std::size_t end = source.find(close, begin);
      if (end == std::string_view::npos) break;
      const std::string_view text = source.substr(begin, end - begin);
      if (text.find(quote) == std::string_view::npos) return unescape_jinja(text);
    }
  }
  return std::nullopt;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

std::string read_template_from_config(const std::filesystem::path& config_file) {
  const nlohmann::json config = nlohmann::json::parse(read_file(config_file), nullptr, /*allow_exceptions=*/false);
  if (config.is_discarded() || !config.is_object()) fail(config_file.string(), ": not a JSON object");
  const auto it = config.find("chat_template");
  if (it == config.end() || it->is_null()) return {};
  if (it->is_string()) return it->get<std::string>();
  // A list of named templates ({name, template}): apply_chat_template uses the one named "default".
  if (it->is_array()) {
    for (const auto& entry : *it) {
      if (entry.is_object() && entry.value("name", "") == "default" && entry.contains("template") &&
          entry["template"].is_string()) {
        return entry["template"].get<std::string>();
      }
    }
    fail(config_file.string(), ": chat_template: no template named \"default\" in the list");
  }
  fail(config_file.string(), ": chat_template: expected a string or a list of {name, template}");
}

}  // namespace

std::string_view family_name(ChatFamily family) {
  switch (family) {
    case ChatFamily::kQwenV1: return "qwen-v1";
    case ChatFamily::kChatML: return "chatml";
    case ChatFamily::kQwen2: return "qwen2";
    case ChatFamily::kQwen2_5: return "qwen2.5";
    case ChatFamily::kQwen3: return "qwen3";
  }
  return "chatml";
}

ChatTemplate::ChatTemplate(ChatFamily family) : family_(family), default_system_(family_default_system(family)) {}

ChatTemplate ChatTemplate::from_jinja(std::string_view source) {
  if (const auto family = known_family(source)) return ChatTemplate(*family);
  ChatFamily family = ChatFamily::kChatML;
  std::string_view reason = "it matches no Qwen template";
  const std::optional<std::string> literal_system = literal_default_system(source);
  if (!contains(source, "<|im_start|>")) {
    reason = "it does not write <|im_start|>";
  } else if (contains(source, "enable_thinking") || contains(source, "reasoning_content") || contains(source, "<think>")) {
    family = ChatFamily::kQwen3;
    reason = "it handles thinking";
  } else if (contains(source, "<tool_call>")) {
    family = ChatFamily::kQwen2_5;
    reason = "it writes <tool_call>";
  } else if (literal_system) {
    family = ChatFamily::kQwen2;
    reason = "it writes a default system prompt";
  }
  ChatTemplate chosen(family);
  if (literal_system && (family == ChatFamily::kQwen2 || family == ChatFamily::kQwen2_5)) {
    chosen.default_system_ = literal_system;
  }
  chosen.note_ = str_cat("chat template not known verbatim: rendering it natively as ", family_name(family), " (",
                         reason, "); its own differences from that family are not reproduced");
  return chosen;
}

ChatTemplate ChatTemplate::for_model(const std::filesystem::path& model_dir) {
  const std::filesystem::path jinja_file = model_dir / "chat_template.jinja";
  const std::filesystem::path config_file = model_dir / "tokenizer_config.json";
  std::string source;
  std::filesystem::path source_file;
  if (std::filesystem::exists(jinja_file)) {
    source = read_file(jinja_file);
    source_file = jinja_file;
  } else if (std::filesystem::exists(config_file)) {
    source = read_template_from_config(config_file);
    source_file = config_file;
  }
  if (!source.empty()) {
    ChatTemplate chosen = from_jinja(source);
    if (!chosen.note_.empty()) chosen.note_ = str_cat(source_file.string(), ": ", chosen.note_);
    return chosen;
  }
  // Qwen v1 builds its prompt in code (make_context), so its directories carry no template.
  if (std::filesystem::exists(model_dir / "qwen.tiktoken")) return ChatTemplate(ChatFamily::kQwenV1);
  if (std::filesystem::exists(config_file)) {
    ChatTemplate chosen(ChatFamily::kChatML);
    chosen.note_ = str_cat(config_file.string(), ": no chat_template (a base model?): rendering plain ChatML");
    return chosen;
  }
  fail(model_dir.string(), ": no tokenizer_config.json or qwen.tiktoken to choose a chat template from");
}

PromptEncoding ChatTemplate::encoding() const {
  return family_ == ChatFamily::kQwenV1 ? PromptEncoding::kPerSegment : PromptEncoding::kWholeText;
}

std::vector<PromptSegment> ChatTemplate::render(std::span<const ChatMessage> messages,
                                                const ChatOptions& options) const {
  if (messages.empty()) fail("messages: nothing to render");
  PromptWriter out;
  switch (family_) {
    case ChatFamily::kQwenV1: render_qwen_v1(messages, options, default_system_.value_or(""), out); break;
    case ChatFamily::kChatML:
    case ChatFamily::kQwen2: render_plain_chatml(messages, options, default_system_, out); break;
    case ChatFamily::kQwen2_5: render_qwen2_5(messages, options, default_system_.value_or(""), out); break;
    case ChatFamily::kQwen3: render_qwen3(messages, options, out); break;
  }
  return out.take();
}

std::vector<TokenId> ChatTemplate::encode(const Tokenizer& tokenizer, std::span<const PromptSegment> segments) const {
  return encode_prompt(tokenizer, segments, encoding());
}

}  // namespace qwenrt::tokenizer
