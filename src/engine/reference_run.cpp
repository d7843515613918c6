#include "engine/reference_run.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"

namespace qwenrt::engine {
namespace {

constexpr std::size_t kTop = 20;

std::vector<std::pair<TokenId, float>> top_of(std::span<const float> logits) {
  std::vector<TokenId> ids(logits.size());
  std::iota(ids.begin(), ids.end(), 0);
  const std::size_t k = std::min(kTop, ids.size());
  std::partial_sort(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(k), ids.end(), [&](TokenId a, TokenId b) {
    return logits[static_cast<std::size_t>(a)] > logits[static_cast<std::size_t>(b)] ||
           (logits[static_cast<std::size_t>(a)] == logits[static_cast<std::size_t>(b)] && a < b);
  });
  std::vector<std::pair<TokenId, float>> top;
  for (std::size_t i = 0; i < k; ++i) top.emplace_back(ids[i], logits[static_cast<std::size_t>(ids[i])]);
  return top;
}

TokenId greedy_of(std::span<const float> logits) {
  return static_cast<TokenId>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

}  // namespace

ReferenceRun run_reference(Backend& backend, std::span<const TokenId> prompt, std::size_t steps) {
  if (prompt.empty()) fail("eval reference: the prompt has no tokens");
  const std::size_t vocab = backend.config().vocab_size;
  const std::size_t positions = prompt.size() + steps;
  const std::size_t blocks = (positions + backend.kv_block_size() - 1) / backend.kv_block_size();
  if (blocks > backend.kv_block_count()) {
    fail("eval reference: ", positions, " positions need ", blocks, " KV blocks, the cache has ", backend.kv_block_count());
  }
  std::vector<std::int32_t> block_table(blocks);
  std::iota(block_table.begin(), block_table.end(), 0);
  for (TokenId id : prompt) {
    if (id < 0 || static_cast<std::size_t>(id) >= vocab) fail("eval reference: prompt id ", id, " is outside the vocabulary (", vocab, ")");
  }

  ReferenceRun run;
  run.prompt_ids.assign(prompt.begin(), prompt.end());
  std::vector<float> logits;
  SequenceStep step{prompt, 0, block_table, true, prompt.size()};
  backend.forward(std::span(&step, 1), logits);
  for (std::size_t p = 0; p < prompt.size(); ++p) run.top20.push_back(top_of(std::span(logits).subspan(p * vocab, vocab)));
  run.last_logits.assign(logits.end() - static_cast<std::ptrdiff_t>(vocab), logits.end());
  for (std::size_t i = 0; i < steps; ++i) {
    const TokenId next = greedy_of(run.last_logits);
    run.greedy_ids.push_back(next);
    SequenceStep decode{std::span(&run.greedy_ids.back(), 1), prompt.size() + i, block_table, false, prompt.size()};
    backend.forward(std::span(&decode, 1), logits);
    run.last_logits = logits;
    run.top20.push_back(top_of(run.last_logits));
  }
  return run;
}

nlohmann::json reference_to_json(const ReferenceRun& run, const std::string& model, const std::string& dtype) {
  nlohmann::json top = nlohmann::json::array();
  for (const auto& row : run.top20) {
    nlohmann::json pairs = nlohmann::json::array();
    for (const auto& [id, logit] : row) pairs.push_back({id, logit});
    top.push_back(std::move(pairs));
  }
  return {{"model", model},          {"dtype", dtype}, {"prompt_ids", run.prompt_ids}, {"greedy_ids", run.greedy_ids},
          {"top20", std::move(top)}, {"last_logits", run.last_logits}};
}

ReferenceRun reference_from_json(const nlohmann::json& json, const std::string& source) {
  ReferenceRun run;
  try {
    run.prompt_ids = json.at("prompt_ids").get<std::vector<TokenId>>();
    run.greedy_ids = json.at("greedy_ids").get<std::vector<TokenId>>();
    run.last_logits = json.at("last_logits").get<std::vector<float>>();
    for (const auto& row : json.at("top20")) {
      std::vector<std::pair<TokenId, float>> pairs;
      for (const auto& pair : row) pairs.emplace_back(pair.at(0).get<TokenId>(), pair.at(1).get<float>());
      run.top20.push_back(std::move(pairs));
    }
  } catch (const nlohmann::json::exception& e) {
    fail(source, ": not a reference file (", e.what(), ")");
  }
  return run;
}

ReferenceComparison compare_references(const ReferenceRun& a, const ReferenceRun& b) {
  if (a.prompt_ids != b.prompt_ids) fail("eval compare: the two runs are of different prompts");
  ReferenceComparison c;
  c.positions = std::min(a.top20.size(), b.top20.size());
  for (std::size_t p = 0; p < c.positions; ++p) {
    const auto& ra = a.top20[p];
    const auto& rb = b.top20[p];
    if (!ra.empty() && !rb.empty() && ra[0].first == rb[0].first) ++c.top1_agreements;
    for (const auto& [id, logit] : ra) {
      const auto it = std::find_if(rb.begin(), rb.end(), [id = id](const auto& e) { return e.first == id; });
      if (it != rb.end()) c.max_top20_logit_diff = std::max(c.max_top20_logit_diff, std::fabs(logit - it->second));
    }
  }
  if (a.last_logits.size() == b.last_logits.size()) {
    for (std::size_t i = 0; i < a.last_logits.size(); ++i) {
      c.max_last_logit_diff = std::max(c.max_last_logit_diff, std::fabs(a.last_logits[i] - b.last_logits[i]));
    }
  } else {
    c.max_last_logit_diff = INFINITY;
  }
  c.greedy_compared = std::min(a.greedy_ids.size(), b.greedy_ids.size());
  while (c.greedy_common_prefix < c.greedy_compared && a.greedy_ids[c.greedy_common_prefix] == b.greedy_ids[c.greedy_common_prefix]) {
    ++c.greedy_common_prefix;
  }
  return c;
}

}  // namespace qwenrt::engine
