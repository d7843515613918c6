#include "cli/bench/sharegpt_dataset.h"

#include "cli/bench/random_draws.h"
#include "core/error.h"
#include "core/file_io.h"
#include "model/json_fields.h"

namespace qwenrt::bench {
namespace {

std::string entry_name(std::size_t index, const nlohmann::json& entry) {
  const auto id = entry.find("id");
  if (id != entry.end() && id->is_string()) return str_cat("entry ", index, " (id ", id->get<std::string>(), ")");
  return str_cat("entry ", index);
}

std::string turn_value(const nlohmann::json& turn, const std::string& where) {
  if (!turn.is_object()) fail(where, ": expected an object {\"from\", \"value\"}, got ", model::json_type_name(turn));
  const auto value = turn.find("value");
  if (value == turn.end() || !value->is_string()) {
    fail(where, ": \"value\" must be a string, got ",
         value == turn.end() ? std::string("nothing") : std::string(model::json_type_name(*value)));
  }
  return value->get<std::string>();
}

}  // namespace

std::vector<ShareGptConversation> read_sharegpt(const std::filesystem::path& file) {
  const std::string source = file.string();
  nlohmann::json root = model::parse_json(read_file(file), source);
  if (!root.is_array()) {
    fail(source, ": expected a JSON array of ShareGPT conversations, got ", model::json_type_name(root));
  }
  std::vector<ShareGptConversation> conversations;
  conversations.reserve(root.size());
  for (std::size_t i = 0; i < root.size(); ++i) {
    const nlohmann::json& entry = root[i];
    const std::string where = str_cat(source, ": ", entry_name(i, entry));
    if (!entry.is_object()) fail(where, ": expected an object {\"id\", \"conversations\"}, got ", model::json_type_name(entry));
    const auto turns = entry.find("conversations");
    if (turns == entry.end()) continue;
    if (!turns->is_array()) fail(where, ": \"conversations\" must be an array, got ", model::json_type_name(*turns));
    ShareGptConversation c;
    const auto id = entry.find("id");
    if (id != entry.end() && id->is_string()) c.id = id->get<std::string>();
    c.turns = turns->size();
    for (std::size_t t = 0; t < turns->size(); ++t) {
      std::string value = turn_value((*turns)[t], str_cat(where, ": turn ", t));
      if (t == 0) c.prompt = std::move(value);
      if (t == 1) c.completion = std::move(value);
    }
    conversations.push_back(std::move(c));
  }
  return conversations;
}

bool is_valid_pair(std::size_t prompt_tokens, std::size_t output_tokens) {
  return prompt_tokens >= kMinSequenceTokens && output_tokens >= kMinSequenceTokens &&
         prompt_tokens <= kMaxPromptTokens && prompt_tokens + output_tokens <= kMaxTotalTokens;
}

ShareGptLengths measure_sharegpt(const std::vector<ShareGptConversation>& conversations,
                                 const tokenizer::Tokenizer& tokenizer) {
  std::vector<double> prompt, output, valid_prompt, valid_output;
  for (const ShareGptConversation& c : conversations) {
    if (c.turns < 2) continue;
    const std::size_t p = tokenizer.encode(c.prompt).size(), o = tokenizer.encode(c.completion).size();
    prompt.push_back(static_cast<double>(p));
    output.push_back(static_cast<double>(o));
    if (!is_valid_pair(p, o)) continue;
    valid_prompt.push_back(static_cast<double>(p));
    valid_output.push_back(static_cast<double>(o));
  }
  return {prompt.size(), valid_prompt.size(), SummaryStats::of(prompt), SummaryStats::of(output),
          SummaryStats::of(valid_prompt), SummaryStats::of(valid_output)};
}

SampledDataset sample_sharegpt(const std::vector<ShareGptConversation>& conversations,
                               const tokenizer::Tokenizer& tokenizer, const SampleOptions& options,
                               const std::string& source) {
  if (options.num_prompts == 0) fail("--num-prompts must be at least 1");
  SampledDataset sampled;
  sampled.conversations = conversations.size();
  std::vector<const ShareGptConversation*> order;
  for (const ShareGptConversation& c : conversations) {
    if (c.turns >= 2) order.push_back(&c);
  }
  sampled.multi_turn = order.size();
  runtime::RandomStream random(options.seed);
  shuffle(order, random);
  for (const ShareGptConversation* c : order) {
    if (sampled.requests.size() == options.num_prompts) break;
    ++sampled.examined;
    std::vector<tokenizer::TokenId> prompt_ids = tokenizer.encode(c->prompt);
    const std::size_t output_len = tokenizer.encode(c->completion).size();
    if (!is_valid_pair(prompt_ids.size(), output_len)) continue;
    sampled.requests.push_back({c->id, c->prompt, std::move(prompt_ids), output_len});
  }
  sampled.valid = sampled.requests.size();
  if (sampled.valid == 0) {
    fail(source, ": none of its ", sampled.conversations, " conversations gives a usable request (two turns or more, ",
         kMinSequenceTokens, " to ", kMaxPromptTokens, " prompt tokens, at least ", kMinSequenceTokens,
         " output tokens, at most ", kMaxTotalTokens, " together)");
  }
  while (sampled.requests.size() < options.num_prompts) {
    sampled.requests.push_back(sampled.requests[uniform_index(random, sampled.valid)]);
    ++sampled.resampled;
  }
  return sampled;
}

}  // namespace qwenrt::bench
