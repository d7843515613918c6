// The rotary embedding each sequence step turns its queries and keys with, built once per distinct
// base and kept: rope_theta for Qwen2/3, and for Qwen v1 with dynamic NTK the base that the length of
// the prompt as first run fixes for the whole sequence (modeling_qwen.py keeps the prefill's alpha
// while decoding, so the keys already cached keep their rotation).
#pragma once

#include <map>

#include "engine/forward_batch.h"
#include "kernels/cpu/rotary.h"
#include "model/model_config.h"

namespace qwenrt::engine {

class RotaryCache {
 public:
  // config must outlive the cache.
  explicit RotaryCache(const model::ModelConfig& config) : config_(config) {}

  const cpu::RotaryEmbedding& for_step(const SequenceStep& step);

 private:
  const model::ModelConfig& config_;
  std::map<double, cpu::RotaryEmbedding> by_base_;
};

}  // namespace qwenrt::engine
