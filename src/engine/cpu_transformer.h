// The Qwen transformer on the CPU: fp32 arithmetic on the checkpoint's own bf16/fp16/fp32 weights,
// read in place from the mapped files, with a paged KV cache. It is the reference every other
// backend is checked against, and the fallback where there is no GPU.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "core/thread_pool.h"
#include "engine/backend.h"
#include "engine/forward_batch.h"
#include "engine/loaded_model.h"
#include "engine/rotary_cache.h"
#include "kernels/cpu/paged_kv_cache.h"
#include "kernels/cpu/rotary.h"
#include "kernels/cpu/weight_matrix.h"

namespace qwenrt::engine {

struct CpuCacheOptions {
  std::size_t block_size = 16;
  std::size_t num_blocks = 0;  // KV blocks shared by all sequences
};

class CpuTransformer final : public Backend {
 public:
  // model must outlive the transformer (its weights are read in place). Throws Error when the cache
  // cannot be allocated.
  CpuTransformer(const LoadedModel& model, ThreadPool& pool, const CpuCacheOptions& cache);
  ~CpuTransformer() override;

  void forward(std::span<const SequenceStep> batch, std::vector<float>& logits) override;
  const model::ModelConfig& config() const override { return config_; }
  std::size_t kv_block_size() const override { return kv_.layout().block_size; }
  std::size_t kv_block_count() const override { return kv_.layout().num_blocks; }

 private:
  struct Layer {
    std::vector<float> input_norm, post_attention_norm, q_norm, k_norm;
    std::vector<float> q_bias, k_bias, v_bias;
    cpu::WeightMatrix q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj;
  };
  struct Activations;

  void attention_block(std::size_t layer, std::span<const SequenceStep> batch, Activations& a);
  void mlp_block(std::size_t layer, Activations& a);

  const model::ModelConfig& config_;
  ThreadPool& pool_;
  cpu::WeightMatrix embed_tokens_;
  cpu::WeightMatrix lm_head_;
  std::vector<float> final_norm_;
  std::vector<Layer> layers_;
  cpu::KvCacheStorage kv_;
  RotaryCache rotary_;
  std::unique_ptr<Activations> activations_;
};

}  // namespace qwenrt::engine
