#include "core/base64.h"
#include "core/error.h"
#include "core/file_io.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/tokenizer_files.h"

namespace qwenrt::tokenizer {
namespace {

constexpr int kExtraTokens = 205;

std::vector<AddedToken> qwen_v1_special_tokens(TokenId first) {
  std::vector<AddedToken> tokens = {{"<|endoftext|>", first, true}, {"<|im_start|>", first + 1, true}, {"<|im_end|>", first + 2, true}};
  for (int i = 0; i < kExtraTokens; ++i) tokens.push_back({"<|extra_" + std::to_string(i) + "|>", first + 3 + i, true});
  return tokens;
}

}  // namespace

TokenizerDefinition load_tiktoken(const std::filesystem::path& file) {
  const std::string source = file.string();
  const std::string text = read_file(file);
  std::vector<std::string> tokens;
  std::size_t line_no = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    const auto space = line.find(' ');
    if (space == std::string_view::npos) fail(source, ":", line_no, ": expected 'base64 rank'");
    auto bytes = base64::decode(line.substr(0, space));
    if (!bytes || bytes->empty()) fail(source, ":", line_no, ": invalid base64 token");
    std::size_t rank = 0;
    const std::string_view digits = line.substr(space + 1);
    if (digits.empty() || digits.size() > 8) fail(source, ":", line_no, ": invalid rank");
    for (char c : digits) {
      if (c < '0' || c > '9') fail(source, ":", line_no, ": invalid rank");
      rank = rank * 10 + static_cast<std::size_t>(c - '0');
    }
    if (rank >= tokens.size()) tokens.resize(rank + 1);
    if (!tokens[rank].empty()) fail(source, ":", line_no, ": rank ", rank, " appears twice");
    tokens[rank] = std::move(*bytes);
  }
  if (tokens.empty()) fail(source, ": no tokens");
  const auto first_special = static_cast<TokenId>(tokens.size());
  return TokenizerDefinition{
      TokenizerFormat::kTiktoken,
      BpeModel::from_ranks(std::move(tokens), source),
      TokenizerDefinition::Normalization::kWholeText,
      std::string(kQwenPattern),
      qwen_v1_special_tokens(first_special),
  };
}

}  // namespace qwenrt::tokenizer
