// The Qwen transformer on one NVIDIA GPU: bf16 weights and KV cache, float accumulation everywhere,
// the same sequence of operations as CpuTransformer (its reference), with cuBLASLt for the linear
// layers and qwenrt's own kernels (kernels/cuda) for the rest. This header needs no CUDA headers, and
// in a build without the CUDA toolkit the constructor throws, so callers compile either way.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "engine/backend.h"
#include "engine/forward_batch.h"
#include "engine/loaded_model.h"

namespace qwenrt::engine {

struct CudaOptions {
  std::size_t block_size = 16;
  // KV blocks shared by all sequences; 0: as many as memory_fraction of the device's memory leaves
  // once the weights, the activations of max_step_tokens and a margin for the libraries are counted.
  std::size_t num_blocks = 0;
  double memory_fraction = 0.9;
  // Tokens one forward step may carry: its activation buffers are allocated for this many at start,
  // so a step within it never allocates (longer steps grow them).
  std::size_t max_step_tokens = 512;
  // Replay decode steps from CUDA graphs (cuda_decode_graphs.h); off only to measure what they save.
  bool cuda_graphs = true;
  int device = 0;
};

class CudaTransformer final : public Backend {
 public:
  // Copies every weight of model to the device (model may be dropped afterwards) and allocates the
  // KV cache. Throws Error when CUDA is not compiled in, the device does not exist, the model's shape
  // is one the kernels do not handle, or device memory runs out (naming the size).
  CudaTransformer(const LoadedModel& model, const CudaOptions& options);
  ~CudaTransformer() override;
  // The device state refers to config_: the object stays where it was built.
  CudaTransformer(const CudaTransformer&) = delete;
  CudaTransformer& operator=(const CudaTransformer&) = delete;

  void forward(std::span<const SequenceStep> batch, std::vector<float>& logits) override;
  bool samples_on_device() const override { return true; }
  void forward_sampled(std::span<const SequenceStep> batch, std::span<const TokenSampling> rows,
                       std::vector<TokenId>& next, std::vector<float>& host_logits) override;

  const model::ModelConfig& config() const override { return config_; }
  std::size_t kv_block_size() const override { return options_.block_size; }
  std::size_t kv_block_count() const override { return options_.num_blocks; }
  // Device memory held by the weights, and by the KV cache.
  std::size_t weight_bytes() const;
  std::size_t kv_cache_bytes() const;
  // Device memory held by the activation buffers of one step.
  std::size_t activation_bytes() const;
  // Decode steps held as CUDA graphs now (one per batch size seen at least twice).
  std::size_t decode_graphs() const;

 private:
  struct Impl;
  model::ModelConfig config_;
  CudaOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace qwenrt::engine
