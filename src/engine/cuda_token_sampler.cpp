#include "engine/cuda_token_sampler.h"

#include <cstring>

#include "core/error.h"
#include "kernels/cuda/cuda_check.h"

namespace qwenrt::engine {

static_assert(kSampledAllMasked == cuda::kSampleAllMasked && kSampledNotFinite == cuda::kSampleNotFinite);
static_assert(sizeof(SeenToken) == sizeof(cuda::PenaltyEntry));

void CudaTokenSampler::sample(cudaStream_t stream, float* logits, std::size_t vocab,
                              std::span<const TokenSampling> rows, std::vector<TokenId>& next,
                              std::vector<float>& host_logits) {
  const std::size_t count = rows.size();
  params_.clear();
  penalties_.clear();
  std::size_t host_rows = 0;
  for (const TokenSampling& r : rows) {
    cuda::SamplingRow p;
    if (r.host_logits) {
      ++host_rows;  // sampled greedily and ignored: its logits stay as they are
    } else {
      p.temperature = r.temperature;
      p.top_k = r.top_k;
      p.top_p = r.top_p;
      p.min_p = r.min_p;
      p.repetition_penalty = r.repetition_penalty;
      p.presence_penalty = r.presence_penalty;
      p.frequency_penalty = r.frequency_penalty;
      p.uniform = r.uniform;
      p.penalty_offset = static_cast<std::int32_t>(penalties_.size());
      p.penalty_count = static_cast<std::int32_t>(r.seen.size());
      for (const SeenToken& seen : r.seen) {
        if (seen.id < 0 || static_cast<std::size_t>(seen.id) >= vocab) {
          fail("sampling: a penalised token id ", seen.id, " is outside the vocabulary (", vocab, ")");
        }
        penalties_.push_back({seen.id, seen.generated});
      }
    }
    params_.push_back(p);
  }

  const std::size_t param_bytes = params_.size() * sizeof(cuda::SamplingRow);
  const std::size_t total = param_bytes + penalties_.size() * sizeof(cuda::PenaltyEntry);
  staging_.ensure(total);
  device_.ensure(total);
  ids_.ensure(count);
  host_ids_.ensure(count);
  host_logits_.ensure(host_rows * vocab);
  std::memcpy(staging_.data(), params_.data(), param_bytes);
  std::memcpy(staging_.data() + param_bytes, penalties_.data(), total - param_bytes);
  QWENRT_CUDA_CHECK(cudaMemcpyAsync(device_.data(), staging_.data(), total, cudaMemcpyHostToDevice, stream));
  std::size_t copied = 0;
  for (std::size_t r = 0; r < count; ++r) {
    if (!rows[r].host_logits) continue;
    QWENRT_CUDA_CHECK(cudaMemcpyAsync(host_logits_.data() + copied * vocab, logits + r * vocab, vocab * sizeof(float),
                                      cudaMemcpyDeviceToHost, stream));
    ++copied;
  }
  const auto* device_params = reinterpret_cast<const cuda::SamplingRow*>(device_.data());
  const auto* device_penalties = reinterpret_cast<const cuda::PenaltyEntry*>(device_.data() + param_bytes);
  cuda::sample_rows(stream, logits, count, vocab, device_params, device_penalties, ids_.data());
  QWENRT_CUDA_CHECK(
      cudaMemcpyAsync(host_ids_.data(), ids_.data(), count * sizeof(std::int32_t), cudaMemcpyDeviceToHost, stream));
  QWENRT_CUDA_CHECK(cudaStreamSynchronize(stream));

  next.assign(host_ids_.data(), host_ids_.data() + count);
  for (std::size_t r = 0; r < count; ++r) {
    if (rows[r].host_logits) next[r] = kSampledNoToken;
  }
  host_logits.assign(host_logits_.data(), host_logits_.data() + host_rows * vocab);
}

}  // namespace qwenrt::engine
