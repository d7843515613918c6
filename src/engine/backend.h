// A device that runs the transformer: the CPU today, CUDA next. The runtime and the evaluation code
// talk to this interface only.
#pragma once

#include <span>
#include <vector>

#include "engine/forward_batch.h"
#include "model/model_config.h"

namespace qwenrt::engine {

class Backend {
 public:
  virtual ~Backend() = default;
  // Writes logit_rows(batch) x config().vocab_size floats to logits (resized).
  virtual void forward(std::span<const SequenceStep> batch, std::vector<float>& logits) = 0;
  virtual const model::ModelConfig& config() const = 0;
  virtual std::size_t kv_block_size() const = 0;
  virtual std::size_t kv_block_count() const = 0;
};

}  // namespace qwenrt::engine
