// The random side of sampling: the generator is SplitMix64 bit for bit, a seed replays a run exactly,
// and the draws follow the distribution they are taken from.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "runtime/random_stream.h"
#include "runtime/sampler.h"

namespace qwenrt::runtime {
namespace {

using tokenizer::TokenId;

TEST(RandomStream, IsSplitMix64) {
  // The published reference outputs of SplitMix64 seeded with 0.
  RandomStream stream(0);
  EXPECT_EQ(stream.next_u64(), 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(stream.next_u64(), 0x6E789E6AA1B965F4ULL);
  EXPECT_EQ(stream.next_u64(), 0x06C45D188009454FULL);
  EXPECT_EQ(stream.next_u64(), 0xF88BB8A8724C81ECULL);
}

TEST(RandomStream, UniformIsTheTop53Bits) {
  RandomStream bits(12345);
  RandomStream uniform(12345);
  for (int i = 0; i < 1000; ++i) {
    const double u = uniform.next_uniform();
    EXPECT_EQ(u, static_cast<double>(bits.next_u64() >> 11) / 9007199254740992.0);
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
  }
}

// Logits for step `step` of a test run: varied, reproducible, over a vocabulary of 50.
std::vector<float> step_logits(int step) {
  RandomStream values(static_cast<std::uint64_t>(step) * 1000003);
  std::vector<float> logits(50);
  for (float& l : logits) l = static_cast<float>(4 * values.next_uniform());
  return logits;
}

std::vector<TokenId> run(const SamplingParams& params, int steps) {
  Sampler sampler(params, std::vector<TokenId>{1, 2, 3});
  std::vector<TokenId> out;
  for (int i = 0; i < steps; ++i) out.push_back(sampler.sample(step_logits(i)).id);
  return out;
}

SamplingParams sampling_with_seed(std::uint64_t seed) {
  SamplingParams p;
  p.seed = seed;
  p.temperature = 0.8;
  p.top_p = 0.95;
  p.repetition_penalty = 1.1;
  return p;
}

TEST(SeededSampling, TheSameSeedGivesTheSameTokens) {
  const std::vector<TokenId> first = run(sampling_with_seed(2024), 300);
  EXPECT_EQ(run(sampling_with_seed(2024), 300), first);
  // The run really is random: it uses many different tokens.
  std::vector<bool> seen(50);
  for (TokenId id : first) seen[static_cast<std::size_t>(id)] = true;
  EXPECT_GT(std::count(seen.begin(), seen.end(), true), 25);
}

TEST(SeededSampling, DifferentSeedsGiveDifferentTokens) {
  const std::vector<TokenId> a = run(sampling_with_seed(1), 300);
  const std::vector<TokenId> b = run(sampling_with_seed(2), 300);
  std::size_t differing = 0;
  for (std::size_t i = 0; i < a.size(); ++i) differing += a[i] != b[i];
  EXPECT_GT(differing, 200u);  // two independent runs agree on a step now and then, not mostly
}

TEST(SeededSampling, EachDrawIsTheInverseCdfOfTheSeedsNextUniform) {
  // Spells out what makes a seed portable: token = the first whose cumulative probability exceeds
  // the seed's next SplitMix64 uniform, the distribution walked in the order distribution() lists.
  SamplingParams p = sampling_with_seed(77);
  p.presence_penalty = 0.5;  // the distribution changes with what was generated
  Sampler sampler(p, std::vector<TokenId>{1, 2, 3});
  RandomStream uniforms(77);
  for (int step = 0; step < 200; ++step) {
    const std::vector<float> logits = step_logits(step);
    const std::vector<TokenProbability> distribution = sampler.distribution(logits);
    const double u = uniforms.next_uniform();
    double cumulative = 0;
    TokenId expected = distribution.back().id;
    for (const TokenProbability& t : distribution) {
      cumulative += t.probability;
      if (cumulative > u) {
        expected = t.id;
        break;
      }
    }
    ASSERT_EQ(sampler.sample(logits).id, expected) << "step " << step;
  }
}

// Pearson's chi-square statistic of observed counts against expected probabilities.
double chi_square(const std::vector<int>& counts, const std::vector<double>& probabilities, int draws) {
  double statistic = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double expected = probabilities[i] * draws;
    statistic += (counts[i] - expected) * (counts[i] - expected) / expected;
  }
  return statistic;
}

std::vector<double> softmax(const std::vector<double>& logits, double temperature) {
  std::vector<double> out;
  double total = 0;
  for (double l : logits) total += std::exp(l / temperature);
  for (double l : logits) out.push_back(std::exp(l / temperature) / total);
  return out;
}

// How often each id comes out of `draws` samples from the same logits.
std::vector<int> draw_counts(const SamplingParams& params, const std::vector<double>& logits, int draws) {
  Sampler sampler(params, {});
  const std::vector<float> row(logits.begin(), logits.end());
  std::vector<int> counts(logits.size());
  for (int i = 0; i < draws; ++i) ++counts[static_cast<std::size_t>(sampler.sample(row).id)];
  return counts;
}

TEST(SamplingStatistics, DrawsFollowTheSoftmax) {
  const std::vector<double> logits = {0.5, 1.0, -0.3, 2.0, 0.0, 1.5};
  SamplingParams p;
  p.seed = 7;
  p.temperature = 0.9;
  const int draws = 120000;
  const std::vector<int> counts = draw_counts(p, logits, draws);
  // 20.52 is chi-square's 0.999 quantile at 5 degrees of freedom.
  EXPECT_LT(chi_square(counts, softmax(logits, 0.9), draws), 20.52);
}

TEST(SamplingStatistics, TruncatedDrawsFollowTheRenormalisedSoftmax) {
  // Top-k = 5 keeps ids 0-4 (0.429 / 0.260 / 0.158 / 0.096 / 0.058 renormalised); top_p = 0.8 then
  // keeps ids 0-2, whose renormalised softmax the draws must follow. Nothing else may appear.
  const std::vector<double> logits = {2.0, 1.5, 1.0, 0.5, 0.0, -0.5, -1.0, -1.5};
  SamplingParams p;
  p.seed = 11;
  p.top_k = 5;
  p.top_p = 0.8;
  const int draws = 60000;
  std::vector<int> counts = draw_counts(p, logits, draws);
  for (std::size_t id = 3; id < counts.size(); ++id) EXPECT_EQ(counts[id], 0) << "id " << id;
  counts.resize(3);
  // 13.82 is chi-square's 0.999 quantile at 2 degrees of freedom.
  EXPECT_LT(chi_square(counts, softmax({2.0, 1.5, 1.0}, 1.0), draws), 13.82);
}

}  // namespace
}  // namespace qwenrt::runtime
