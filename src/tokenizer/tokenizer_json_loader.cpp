#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/file_io.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/tokenizer_files.h"

namespace qwenrt::tokenizer {
namespace {

using nlohmann::json;

class JsonReader {
 public:
  explicit JsonReader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void error(const std::string& field, const std::string& problem) const {
    fail(source_, ": ", field, ": ", problem);
  }

  const json& member(const json& object, const std::string& key, const std::string& field) const {
    if (!object.is_object()) error(field, "expected an object");
    const auto it = object.find(key);
    if (it == object.end()) error(field + "." + key, "missing");
    return *it;
  }

  std::string string_member(const json& object, const std::string& key, const std::string& field) const {
    const json& v = member(object, key, field);
    if (!v.is_string()) error(field + "." + key, "expected a string");
    return v.get<std::string>();
  }

  bool flag(const json& object, const std::string& key) const {
    const auto it = object.find(key);
    return it != object.end() && it->is_boolean() && it->get<bool>();
  }

 private:
  std::string source_;
};

std::vector<std::string> read_vocab(const JsonReader& r, const json& vocab) {
  if (!vocab.is_object() || vocab.empty()) r.error("model.vocab", "expected a non-empty object of token -> id");
  std::vector<std::string> tokens;
  for (const auto& [text, id_json] : vocab.items()) {
    if (!id_json.is_number_integer() || id_json.get<long long>() < 0 || id_json.get<long long>() > (1 << 24)) {
      r.error("model.vocab[" + text + "]", "expected an id between 0 and 2^24");
    }
    const auto id = static_cast<std::size_t>(id_json.get<long long>());
    auto bytes = byte_level_decode(text);
    if (!bytes || bytes->empty()) r.error("model.vocab[" + text + "]", "not a byte-level BPE token");
    if (id >= tokens.size()) tokens.resize(id + 1);
    if (!tokens[id].empty()) r.error("model.vocab[" + text + "]", "id " + std::to_string(id) + " used twice");
    tokens[id] = std::move(*bytes);
  }
  return tokens;
}

std::vector<BpeModel::Merge> read_merges(const JsonReader& r, const json& merges, const json& vocab) {
  if (!merges.is_array()) r.error("model.merges", "expected an array");
  std::vector<BpeModel::Merge> out;
  out.reserve(merges.size());
  const auto id_of = [&](const std::string& text, std::size_t i) {
    const auto it = vocab.find(text);
    if (it == vocab.end()) r.error("model.merges[" + std::to_string(i) + "]", "'" + text + "' is not in the vocabulary");
    return static_cast<TokenId>(it->get<long long>());
  };
  for (std::size_t i = 0; i < merges.size(); ++i) {
    const json& m = merges[i];
    std::string left, right;
    if (m.is_string()) {  // older files: "left right"
      const std::string s = m.get<std::string>();
      const auto space = s.find(' ');
      if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos) {
        r.error("model.merges[" + std::to_string(i) + "]", "expected two tokens separated by one space");
      }
      left = s.substr(0, space);
      right = s.substr(space + 1);
    } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
      left = m[0].get<std::string>();
      right = m[1].get<std::string>();
    } else {
      r.error("model.merges[" + std::to_string(i) + "]", "expected a pair of tokens");
    }
    out.push_back({id_of(left, i), id_of(right, i)});
  }
  return out;
}

std::string read_pattern(const JsonReader& r, const json& pre) {
  // Qwen's layout: Sequence[Split(Regex, Isolated), ByteLevel(use_regex=false)].
  if (!pre.is_object()) r.error("pre_tokenizer", "expected an object");
  const std::string type = r.string_member(pre, "type", "pre_tokenizer");
  if (type != "Sequence") r.error("pre_tokenizer.type", "unsupported '" + type + "' (expected Sequence[Split, ByteLevel])");
  const json& steps = r.member(pre, "pretokenizers", "pre_tokenizer");
  if (!steps.is_array() || steps.size() != 2) r.error("pre_tokenizer.pretokenizers", "expected [Split, ByteLevel]");
  const json& split = steps[0];
  if (r.string_member(split, "type", "pre_tokenizer.pretokenizers[0]") != "Split") {
    r.error("pre_tokenizer.pretokenizers[0].type", "expected Split");
  }
  if (r.string_member(split, "behavior", "pre_tokenizer.pretokenizers[0]") != "Isolated" || r.flag(split, "invert")) {
    r.error("pre_tokenizer.pretokenizers[0]", "only behavior Isolated without invert is supported");
  }
  const std::string pattern = r.string_member(r.member(split, "pattern", "pre_tokenizer.pretokenizers[0]"), "Regex",
                                              "pre_tokenizer.pretokenizers[0].pattern");
  const json& byte_level = steps[1];
  if (r.string_member(byte_level, "type", "pre_tokenizer.pretokenizers[1]") != "ByteLevel" ||
      r.flag(byte_level, "use_regex") || r.flag(byte_level, "add_prefix_space")) {
    r.error("pre_tokenizer.pretokenizers[1]", "expected ByteLevel without its own regex or prefix space");
  }
  return pattern;
}

TokenizerDefinition::Normalization read_normalizer(const JsonReader& r, const json& normalizer) {
  if (normalizer.is_null()) return TokenizerDefinition::Normalization::kNone;
  const std::string type = r.string_member(normalizer, "type", "normalizer");
  if (type != "NFC") r.error("normalizer.type", "unsupported '" + type + "' (qwenrt supports NFC or none)");
  return TokenizerDefinition::Normalization::kBetweenAddedTokens;
}

std::vector<AddedToken> read_added_tokens(const JsonReader& r, const json& list) {
  std::vector<AddedToken> out;
  if (list.is_null()) return out;
  if (!list.is_array()) r.error("added_tokens", "expected an array");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string field = "added_tokens[" + std::to_string(i) + "]";
    const json& t = list[i];
    const json& id = r.member(t, "id", field);
    if (!id.is_number_integer() || id.get<long long>() < 0) r.error(field + ".id", "expected a non-negative integer");
    if (r.flag(t, "lstrip") || r.flag(t, "rstrip") || r.flag(t, "single_word")) {
      r.error(field, "lstrip, rstrip and single_word are not supported");
    }
    out.push_back({r.string_member(t, "content", field), static_cast<TokenId>(id.get<long long>()), r.flag(t, "special")});
    if (out.back().content.empty()) r.error(field + ".content", "empty");
  }
  return out;
}

}  // namespace

TokenizerDefinition load_tokenizer_json(const std::filesystem::path& file) {
  const std::string source = file.string();
  const JsonReader r(source);
  json root;
  try {
    root = json::parse(read_file(file));
  } catch (const json::parse_error& e) {
    fail(source, ": invalid JSON (", e.what(), ")");
  }
  if (!root.is_object()) r.error("(root)", "expected an object");
  const json& model = r.member(root, "model", "(root)");
  if (model.contains("type") && r.string_member(model, "type", "model") != "BPE") {
    r.error("model.type", "unsupported '" + model["type"].get<std::string>() + "' (qwenrt reads byte-level BPE)");
  }
  if (r.flag(model, "byte_fallback")) r.error("model.byte_fallback", "not supported");
  const json& vocab = r.member(model, "vocab", "model");
  std::vector<std::string> tokens = read_vocab(r, vocab);
  const std::vector<BpeModel::Merge> merges = read_merges(r, r.member(model, "merges", "model"), vocab);
  const bool ignore_merges = r.flag(model, "ignore_merges");
  const json none;
  const auto optional = [&](const char* key) -> const json& { return root.contains(key) ? root[key] : none; };
  TokenizerDefinition def{
      TokenizerFormat::kTokenizerJson,
      BpeModel::from_merges(std::move(tokens), merges, source, ignore_merges),
      read_normalizer(r, optional("normalizer")),
      read_pattern(r, r.member(root, "pre_tokenizer", "(root)")),
      read_added_tokens(r, optional("added_tokens")),
  };
  return def;
}

}  // namespace qwenrt::tokenizer
