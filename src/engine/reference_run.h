// The comparison that keeps every backend honest: what Hugging Face transformers computes for a
// prompt (../shared/device/hf_reference.py writes it as JSON), computed by a qwenrt backend through its
// KV cache, in the same JSON, and the measure of how far two such runs differ.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "engine/backend.h"

namespace qwenrt::engine {

struct ReferenceRun {
  std::vector<TokenId> prompt_ids;
  std::vector<TokenId> greedy_ids;
  // The 20 largest (id, logit) pairs at every prompt position, then after every greedy step.
  std::vector<std::vector<std::pair<TokenId, float>>> top20;
  std::vector<float> last_logits;  // all logits after the last greedy step
};

// Prefills the prompt (logits at every position), then decodes `steps` greedy tokens one at a time
// through the cache, with no EOS stop, as hf_reference.py does. The backend's cache must hold
// prompt + steps positions.
ReferenceRun run_reference(Backend& backend, std::span<const TokenId> prompt, std::size_t steps);

// hf_reference.py's JSON: model, dtype, prompt_ids, greedy_ids, top20, last_logits.
nlohmann::json reference_to_json(const ReferenceRun& run, const std::string& model, const std::string& dtype);
// Throws Error naming source and the field at fault.
ReferenceRun reference_from_json(const nlohmann::json& json, const std::string& source);

struct ReferenceComparison {
  std::size_t positions = 0;        // top-20 lists compared
  std::size_t top1_agreements = 0;  // positions whose largest logit is the same token
  float max_top20_logit_diff = 0;   // over the ids both lists hold at a position
  float max_last_logit_diff = 0;    // over the whole last logits
  std::size_t greedy_compared = 0;
  std::size_t greedy_common_prefix = 0;  // leading greedy ids the runs share
};

// Throws Error when the runs are not of the same prompt.
ReferenceComparison compare_references(const ReferenceRun& a, const ReferenceRun& b);

}  // namespace qwenrt::engine
