// Sampling on the GPU (engine::CudaTokenSampler over kernels/cuda/sampling.h) against the CPU sampler
// it must reproduce: the same rows of random logits, the same parameters and the same seeded uniform
// numbers must give the same tokens, with penalties, top-k, top-p, min-p and temperature in every
// combination, on a vocabulary of Qwen's size. Skipped where there is no GPU.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "engine/cuda_token_sampler.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/device_buffer.h"
#include "kernels/cuda/device_info.h"
#include "runtime/sampler.h"

namespace qwenrt::runtime {
namespace {

using tokenizer::TokenId;

constexpr std::size_t kVocab = 151936;

class CudaSampling : public ::testing::Test {
 protected:
  void SetUp() override {
    if (cuda::list_devices().empty()) GTEST_SKIP() << "no CUDA device on this machine: GPU test skipped";
  }

  // Samples every row on the GPU (each row's Sampler drawing its uniform number) and returns the ids.
  std::vector<TokenId> sample_on_gpu(const std::vector<float>& logits, std::vector<Sampler>& samplers,
                                     std::vector<float>* host_logits = nullptr) {
    std::vector<engine::TokenSampling> rows;
    for (Sampler& s : samplers) rows.push_back(s.device_row());
    cuda::DeviceBuffer<float> device(logits.size());
    QWENRT_CUDA_CHECK(cudaMemcpy(device.data(), logits.data(), logits.size() * sizeof(float), cudaMemcpyHostToDevice));
    std::vector<TokenId> next;
    std::vector<float> returned;
    sampler_.sample(nullptr, device.data(), kVocab, rows, next, returned);
    if (host_logits != nullptr) *host_logits = returned;
    return next;
  }

  engine::CudaTokenSampler sampler_;
};

// Logits shaped like a model's: most tokens far below a few dozen plausible ones, plus exact ties.
std::vector<float> model_like_logits(std::mt19937& rng, std::size_t rows) {
  std::normal_distribution<float> background(-4.0f, 2.0f), plausible(6.0f, 2.0f);
  std::uniform_int_distribution<std::size_t> id(0, kVocab - 1);
  std::vector<float> logits(rows * kVocab);
  for (std::size_t r = 0; r < rows; ++r) {
    float* row = logits.data() + r * kVocab;
    for (std::size_t i = 0; i < kVocab; ++i) row[i] = background(rng);
    for (int k = 0; k < 40; ++k) row[id(rng)] = plausible(rng);
    row[id(rng)] = row[id(rng)] = 9.5f;  // a tie among the most likely
  }
  return logits;
}

SamplingParams random_params(std::mt19937& rng, std::uint64_t seed) {
  std::uniform_int_distribution<int> coin(0, 1);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  SamplingParams p;
  p.temperature = coin(rng) ? 0.3 + 1.5 * unit(rng) : 1.0;
  if (coin(rng)) p.top_k = 1 + static_cast<std::size_t>(unit(rng) * 200);
  if (coin(rng)) p.top_p = 0.2 + 0.79 * unit(rng);
  if (coin(rng)) p.min_p = 0.2 * unit(rng);
  if (coin(rng)) p.repetition_penalty = 1.0 + unit(rng);
  if (coin(rng)) p.presence_penalty = 2.0 * unit(rng) - 1.0;
  if (coin(rng)) p.frequency_penalty = 2.0 * unit(rng) - 1.0;
  p.seed = seed;
  return p;
}

TEST_F(CudaSampling, ChoosesWhatTheCpuSamplerChooses) {
  std::mt19937 rng(41);
  constexpr std::size_t kRows = 48;
  std::uniform_int_distribution<TokenId> id(0, kVocab - 1);
  std::size_t agreements = 0, compared = 0;
  for (int round = 0; round < 4; ++round) {
    const std::vector<float> logits = model_like_logits(rng, kRows);
    std::vector<Sampler> gpu_samplers, cpu_samplers;
    for (std::size_t r = 0; r < kRows; ++r) {
      const SamplingParams params = random_params(rng, 1000 * round + r);
      std::vector<TokenId> prompt(30);
      for (TokenId& t : prompt) t = id(rng);
      gpu_samplers.emplace_back(params, prompt);
      cpu_samplers.emplace_back(params, prompt);
      // Some generated history, so the presence and frequency penalties have counts to apply.
      for (int g = 0; g < 5; ++g) {
        const TokenId t = prompt[static_cast<std::size_t>(g)];
        gpu_samplers.back().from_device(t, {});
        cpu_samplers.back().from_device(t, {});
      }
    }
    const std::vector<TokenId> gpu = sample_on_gpu(logits, gpu_samplers);
    for (std::size_t r = 0; r < kRows; ++r) {
      const std::span<const float> row(logits.data() + r * kVocab, kVocab);
      const TokenId cpu = cpu_samplers[r].sample(row).id;
      ++compared;
      if (gpu[r] == cpu) {
        ++agreements;
        continue;
      }
      // Float rounding may move a boundary: the GPU's token must still be one the CPU could choose.
      bool possible = false;
      for (const TokenProbability& t : cpu_samplers[r].distribution(row)) possible |= t.id == gpu[r];
      EXPECT_TRUE(possible) << "round " << round << ", row " << r << ": GPU chose " << gpu[r] << ", CPU " << cpu;
    }
  }
  // A boundary moved by rounding is rare; most rows must agree exactly.
  EXPECT_GE(agreements, compared * 95 / 100) << agreements << " of " << compared;
}

TEST_F(CudaSampling, GreedyTakesTheFirstLargestAndReportsBrokenRows) {
  std::mt19937 rng(42);
  std::vector<float> logits = model_like_logits(rng, 4);
  logits[0 * kVocab + 700] = logits[0 * kVocab + 300] = 50.0f;                // a tie: the lower id wins
  logits[1 * kVocab + kVocab - 1] = 60.0f;                                     // the last id
  logits[2 * kVocab + 5] = std::numeric_limits<float>::quiet_NaN();            // a broken row
  std::fill(logits.begin() + 3 * kVocab, logits.end(), -std::numeric_limits<float>::infinity());
  std::vector<Sampler> samplers(4, Sampler(SamplingParams{.temperature = 0}, {}));
  const std::vector<TokenId> got = sample_on_gpu(logits, samplers);
  EXPECT_EQ(got[0], 300);
  EXPECT_EQ(got[1], static_cast<TokenId>(kVocab - 1));
  EXPECT_EQ(got[2], engine::kSampledNotFinite);
  EXPECT_EQ(got[3], engine::kSampledAllMasked);
  EXPECT_THROW(samplers[2].from_device(got[2], {}), Error);
  EXPECT_THROW(samplers[3].from_device(got[3], {}), Error);
}

TEST_F(CudaSampling, RowsAskingForLogprobsGetTheirRawLogitsBack) {
  std::mt19937 rng(43);
  const std::vector<float> logits = model_like_logits(rng, 3);
  SamplingParams with_logprobs{.temperature = 0, .repetition_penalty = 1.5};
  with_logprobs.logprobs = 5;
  const std::vector<TokenId> prompt = {1, 2, 3};
  std::vector<Sampler> samplers = {Sampler(SamplingParams{.temperature = 0}, {}), Sampler(with_logprobs, prompt),
                                   Sampler(SamplingParams{.temperature = 0}, {})};
  std::vector<float> host_logits;
  const std::vector<TokenId> got = sample_on_gpu(logits, samplers, &host_logits);
  EXPECT_EQ(got[1], engine::kSampledNoToken);
  ASSERT_EQ(host_logits.size(), kVocab);
  EXPECT_TRUE(std::equal(host_logits.begin(), host_logits.end(), logits.begin() + kVocab)) << "raw, unpenalised";
  const SampledToken chosen = samplers[1].from_device(got[1], host_logits);
  ASSERT_TRUE(chosen.logprobs.has_value());
  EXPECT_EQ(chosen.logprobs->top.size(), 5u);
}

}  // namespace
}  // namespace qwenrt::runtime
