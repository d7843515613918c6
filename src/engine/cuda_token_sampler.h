// The host side of sampling on the GPU: each step's sampling rows and penalty lists copied to the
// device in one transfer, kernels/cuda/sampling.h run over the logits, and the ids (plus the raw
// logits of rows the host samples itself) copied back in one wait.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <span>
#include <vector>

#include "engine/token_sampling.h"
#include "kernels/cuda/device_buffer.h"
#include "kernels/cuda/sampling.h"

namespace qwenrt::engine {

class CudaTokenSampler {
 public:
  // Samples rows.size() rows of logits (vocab floats each, on the device; the penalties change them in
  // place) on stream and waits for it. next gets an id or a kSampled* code per row; host_logits the
  // rows marked host_logits, in order, vocab floats each. Throws Error for a penalty id outside the
  // vocabulary.
  void sample(cudaStream_t stream, float* logits, std::size_t vocab, std::span<const TokenSampling> rows,
              std::vector<TokenId>& next, std::vector<float>& host_logits);

 private:
  std::vector<cuda::SamplingRow> params_;
  std::vector<cuda::PenaltyEntry> penalties_;
  cuda::PinnedBuffer<std::byte> staging_;
  cuda::DeviceBuffer<std::byte> device_;
  cuda::DeviceBuffer<std::int32_t> ids_;
  cuda::PinnedBuffer<std::int32_t> host_ids_;
  cuda::PinnedBuffer<float> host_logits_;
};

}  // namespace qwenrt::engine
