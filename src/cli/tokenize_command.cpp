// `qwenrt tokenize`: the tokenizer on the command line, for scripts and for checking what a model sees.
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "core/error.h"
#include "core/file_io.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::cli {
namespace {

using tokenizer::SpecialTokens;
using tokenizer::TokenId;
using tokenizer::Tokenizer;

struct TokenizeOptions {
  std::string model_dir;
  bool jsonl = false;
  bool decode = false;
  bool split_special = false;
  std::string chat_file;
  bool ids = false;
  bool no_generation_prompt = false;
  std::string thinking;  // "", "on" or "off"
};

void print_ids(const std::vector<TokenId>& ids) {
  std::string line = "[";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) line += ',';
    line += std::to_string(ids[i]);
  }
  line += "]\n";
  std::cout << line;
}

std::vector<TokenId> parse_ids(const std::string& text, const std::string& where) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error&) {
    fail(where, ": invalid JSON, expected an array of token ids");
  }
  if (!j.is_array()) fail(where, ": expected a JSON array of token ids");
  std::vector<TokenId> ids;
  for (const auto& v : j) {
    if (!v.is_number_integer()) fail(where, ": expected integer token ids, got ", v.dump());
    ids.push_back(v.get<TokenId>());
  }
  return ids;
}

std::string parse_text_line(const std::string& line, std::size_t line_no) {
  const std::string where = str_cat("stdin line ", line_no);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const nlohmann::json::parse_error&) {
    fail(where, ": invalid JSON, expected a JSON string");
  }
  if (!j.is_string()) fail(where, ": expected a JSON string");
  return j.get<std::string>();
}

// The chat file is an OpenAI-style `messages` array, or an object with `messages` and optionally
// `tools`, `add_generation_prompt` and `chat_template_kwargs.enable_thinking`, as a request body has them.
void run_chat(const Tokenizer& tok, const TokenizeOptions& opt) {
  nlohmann::ordered_json doc;
  try {
    doc = nlohmann::ordered_json::parse(read_file(opt.chat_file));
  } catch (const nlohmann::json::parse_error& e) {
    fail(opt.chat_file, ": invalid JSON (", e.what(), ")");
  }
  const auto tmpl = tokenizer::ChatTemplate::for_model(opt.model_dir);
  if (!tmpl.note().empty()) std::cerr << "qwenrt: note: " << tmpl.note() << "\n";
  tokenizer::ChatOptions chat;
  const nlohmann::ordered_json* messages = &doc;
  try {
    if (doc.is_object()) {
      if (!doc.contains("messages")) fail("missing \"messages\"");
      messages = &doc["messages"];
      if (doc.contains("tools")) chat.tools = tokenizer::parse_chat_tools(doc["tools"]);
      if (doc.contains("add_generation_prompt")) chat.add_generation_prompt = doc["add_generation_prompt"].get<bool>();
      const auto kwargs = doc.find("chat_template_kwargs");
      if (kwargs != doc.end() && kwargs->contains("enable_thinking")) {
        chat.enable_thinking = (*kwargs)["enable_thinking"].get<bool>();
      }
    }
    const auto parsed = tokenizer::parse_chat_messages(*messages);
    if (opt.no_generation_prompt) chat.add_generation_prompt = false;
    if (!opt.thinking.empty()) chat.enable_thinking = opt.thinking == "on";
    const auto segments = tmpl.render(parsed, chat);
    if (opt.ids) {
      print_ids(tmpl.encode(tok, segments));
    } else {
      std::cout << tokenizer::join(segments);
    }
  } catch (const nlohmann::json::exception& e) {
    fail(opt.chat_file, ": ", e.what());
  } catch (const Error& e) {
    fail(opt.chat_file, ": ", e.what());
  }
}

void run_tokenize(const TokenizeOptions& opt) {
  const Tokenizer tok = Tokenizer::from_directory(opt.model_dir);
  if (!opt.chat_file.empty()) {
    run_chat(tok, opt);
    return;
  }
  const SpecialTokens mode = opt.split_special ? SpecialTokens::kPlainText : SpecialTokens::kParse;
  if (!opt.jsonl) {
    const std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    if (opt.decode) {
      std::cout << tok.decode_text(parse_ids(input, "stdin"));
    } else {
      print_ids(tok.encode(input, mode));
    }
    return;
  }
  std::string line;
  for (std::size_t line_no = 1; std::getline(std::cin, line); ++line_no) {
    if (opt.decode) {
      std::cout << nlohmann::json(tok.decode_text(parse_ids(line, str_cat("stdin line ", line_no)))).dump() << "\n";
    } else {
      print_ids(tok.encode(parse_text_line(line, line_no), mode));
    }
  }
}

}  // namespace

void add_tokenize_command(CLI::App& app) {
  auto opt = std::make_shared<TokenizeOptions>();
  CLI::App* cmd = app.add_subcommand("tokenize", "Encode text read on stdin to token ids (or decode ids to text)");
  cmd->footer(
      "Input and output:\n"
      "  default      all of stdin is one text; prints its ids as a JSON array\n"
      "  --jsonl      each stdin line is a JSON string; prints one JSON array per line\n"
      "  --decode     stdin holds a JSON array of ids (one per line with --jsonl); prints the text\n"
      "               (with --jsonl, one JSON string per line)\n"
      "  --chat FILE  FILE holds an OpenAI-style messages array (or an object with messages, tools,\n"
      "               add_generation_prompt, chat_template_kwargs.enable_thinking); prints the prompt\n"
      "               the model's chat template makes of it, or its ids with --ids\n"
      "Added tokens written in the text (<|im_start|>, <think>) become their ids, as Hugging Face's\n"
      "encode does; --split-special encodes them as plain text instead. In --chat, message contents are\n"
      "always plain text: only the template's own markers become control tokens.");
  cmd->add_option("-m,--model", opt->model_dir, "Model folder holding tokenizer.json or qwen.tiktoken")->required();
  cmd->add_flag("--jsonl", opt->jsonl, "One JSON string (or id array with --decode) per stdin line");
  cmd->add_flag("--decode", opt->decode, "Decode token ids to text");
  cmd->add_flag("--split-special", opt->split_special, "Encode added-token text as plain text");
  auto* chat = cmd->add_option("--chat", opt->chat_file, "Render a chat (messages JSON file) with the model's template");
  cmd->add_flag("--ids", opt->ids, "With --chat: print the prompt's token ids instead of its text")->needs(chat);
  cmd->add_flag("--no-generation-prompt", opt->no_generation_prompt, "With --chat: do not open an assistant turn")
      ->needs(chat);
  cmd->add_option("--thinking", opt->thinking, "With --chat: Qwen3 thinking on or off (enable_thinking)")
      ->check(CLI::IsMember({"on", "off"}))
      ->needs(chat);
  cmd->callback([opt] { run_tokenize(*opt); });
}

}  // namespace qwenrt::cli
