// `qwenrt tokenize`: the tokenizer on the command line, for scripts and for checking what a model sees.
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "core/error.h"
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

void run_tokenize(const TokenizeOptions& opt) {
  const Tokenizer tok = Tokenizer::from_directory(opt.model_dir);
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
      "Added tokens written in the text (<|im_start|>, <think>) become their ids, as Hugging Face's\n"
      "encode does; --split-special encodes them as plain text instead.");
  cmd->add_option("-m,--model", opt->model_dir, "Model folder holding tokenizer.json or qwen.tiktoken")->required();
  cmd->add_flag("--jsonl", opt->jsonl, "One JSON string (or id array with --decode) per stdin line");
  cmd->add_flag("--decode", opt->decode, "Decode token ids to text");
  cmd->add_flag("--split-special", opt->split_special, "Encode added-token text as plain text");
  cmd->callback([opt] { run_tokenize(*opt); });
}

}  // namespace qwenrt::cli
