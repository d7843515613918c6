// A device that runs the transformer: the CPU, or CUDA. The runtime and the evaluation code talk to
// this interface only.
#pragma once

#include <span>
#include <vector>

#include "core/error.h"
#include "engine/forward_batch.h"
#include "engine/token_sampling.h"
#include "model/model_config.h"

namespace qwenrt::engine {

class Backend {
 public:
  virtual ~Backend() = default;
  // Writes logit_rows(batch) x config().vocab_size floats to logits (resized).
  virtual void forward(std::span<const SequenceStep> batch, std::vector<float>& logits) = 0;
  // Whether forward_sampled works: the backend chooses tokens where its logits are.
  virtual bool samples_on_device() const { return false; }
  // One step whose tokens are chosen on the device, rows[r] saying how for logit row r (one per
  // entry of logit_rows(batch)): next[r] gets the id, or one of the kSampled* codes of
  // token_sampling.h; the logits of host_logits rows are appended to host_logits in row order.
  virtual void forward_sampled(std::span<const SequenceStep> /*batch*/, std::span<const TokenSampling> /*rows*/,
                               std::vector<TokenId>& /*next*/, std::vector<float>& /*host_logits*/) {
    fail("this backend does not sample on its device");
  }
  virtual const model::ModelConfig& config() const = 0;
  virtual std::size_t kv_block_size() const = 0;
  virtual std::size_t kv_block_count() const = 0;
};

}  // namespace qwenrt::engine
