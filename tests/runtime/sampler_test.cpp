#include "runtime/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "core/error.h"

namespace qwenrt::runtime {
namespace {

using tokenizer::TokenId;

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

SamplingParams greedy() {
  SamplingParams p;
  p.temperature = 0;
  return p;
}

SamplingParams seeded(std::uint64_t seed) {
  SamplingParams p;
  p.seed = seed;
  return p;
}

std::vector<float> log_probabilities(const std::vector<double>& probabilities) {
  std::vector<float> logits;
  for (double p : probabilities) logits.push_back(static_cast<float>(std::log(p)));
  return logits;
}

std::vector<TokenId> ids(const std::vector<TokenProbability>& distribution) {
  std::vector<TokenId> out;
  for (const TokenProbability& t : distribution) out.push_back(t.id);
  return out;
}

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Sampler, GreedyTakesTheArgmax) {
  Sampler sampler(greedy(), {});
  EXPECT_EQ(sampler.sample(std::vector<float>{0.1f, 2.5f, -1.0f, 2.4f}).id, 1);
  const auto distribution = sampler.distribution(std::vector<float>{0.1f, 2.5f, -1.0f, 2.4f});
  ASSERT_EQ(distribution.size(), 1u);
  EXPECT_EQ(distribution[0].id, 1);
  EXPECT_EQ(distribution[0].probability, 1.0);
}

TEST(Sampler, GreedyTiesGoToTheLowestId) {
  Sampler sampler(greedy(), {});
  EXPECT_EQ(sampler.sample(std::vector<float>{kNegInf, 3.0f, 1.0f, 3.0f, 3.0f}).id, 1);
}

TEST(Sampler, GreedyIgnoresSeedAndTruncation) {
  SamplingParams p = greedy();
  p.seed = 99;
  p.top_k = 1;
  p.top_p = 0.1;
  p.min_p = 0.9;
  Sampler sampler(p, {});
  for (int i = 0; i < 5; ++i) EXPECT_EQ(sampler.sample(std::vector<float>{1.0f, 0.0f, 4.0f}).id, 2);
}

TEST(Sampler, TemperaturesBelowTheEpsilonAreGreedy) {
  SamplingParams p = seeded(1);
  p.temperature = 0.5 * kGreedyBelowTemperature;
  Sampler sampler(p, {});
  const auto distribution = sampler.distribution(std::vector<float>{1.0f, 1.0001f, 0.5f});
  ASSERT_EQ(distribution.size(), 1u);
  EXPECT_EQ(distribution[0].id, 1);
  // Just above it the division stays finite even for the largest floats.
  p.temperature = kGreedyBelowTemperature;
  Sampler tiny(p, {});
  const float big = std::numeric_limits<float>::max();
  const auto extreme = tiny.distribution(std::vector<float>{big, -big, big});
  ASSERT_EQ(ids(extreme), (std::vector<TokenId>{0, 1, 2}));
  EXPECT_EQ(extreme[0].probability, 0.5);
  EXPECT_EQ(extreme[1].probability, 0.0);
  EXPECT_EQ(tiny.sample(std::vector<float>{-big, big}).id, 1);
}

TEST(Sampler, GreedyAppliesTheRepetitionPenalty) {
  // Hugging Face's greedy search runs the repetition penalty too: 3.0 / 2 falls below 2.0.
  SamplingParams p = greedy();
  p.repetition_penalty = 2.0;
  const std::vector<TokenId> prompt = {0};
  Sampler sampler(p, prompt);
  EXPECT_EQ(sampler.sample(std::vector<float>{3.0f, 2.0f, 1.0f}).id, 1);
}

TEST(Sampler, RecordsEachChosenTokenForThePenalties) {
  // A frequency penalty of 2 moves greedy decoding on from each token it picks.
  SamplingParams p = greedy();
  p.frequency_penalty = 2.0;
  Sampler sampler(p, {});
  const std::vector<float> logits = {1.0f, 0.9f, 0.8f, -5.0f};
  std::vector<TokenId> chosen;
  for (int i = 0; i < 6; ++i) chosen.push_back(sampler.sample(logits).id);
  EXPECT_EQ(chosen, (std::vector<TokenId>{0, 1, 2, 0, 1, 2}));
  EXPECT_EQ(sampler.penalties().generated_count(0), 2u);
  EXPECT_EQ(sampler.penalties().generated_count(3), 0u);
}

TEST(Sampler, DistributionIsTheSoftmaxAtTheTemperature) {
  SamplingParams p = seeded(1);
  p.temperature = 0.5;
  Sampler sampler(p, {});
  const auto distribution = sampler.distribution(std::vector<float>{1.0f, 2.0f, 3.0f});
  ASSERT_EQ(ids(distribution), (std::vector<TokenId>{0, 1, 2}));
  const double total = std::exp(2.0) + std::exp(4.0) + std::exp(6.0);
  EXPECT_NEAR(distribution[0].probability, std::exp(2.0) / total, 1e-12);
  EXPECT_NEAR(distribution[1].probability, std::exp(4.0) / total, 1e-12);
  EXPECT_NEAR(distribution[2].probability, std::exp(6.0) / total, 1e-12);
}

TEST(Sampler, PenaltiesComeBeforeTheTemperature) {
  // (2 - 1) / 0.5 = 1 / 0.5: an even split. Penalising after the temperature would give 3 against 2.
  SamplingParams p = seeded(1);
  p.temperature = 0.5;
  p.presence_penalty = 1.0;
  Sampler sampler(p, {});
  ASSERT_EQ(sampler.sample(std::vector<float>{5.0f, kNegInf}).id, 0);
  const auto distribution = sampler.distribution(std::vector<float>{2.0f, 1.0f});
  ASSERT_EQ(distribution.size(), 2u);
  EXPECT_NEAR(distribution[0].probability, 0.5, 1e-6);
  EXPECT_NEAR(distribution[1].probability, 0.5, 1e-6);
}

TEST(Sampler, TemperatureComesBeforeTopP) {
  // At temperature 2 the probabilities of 0.4 / 0.3 / 0.2 / 0.1 flatten to 0.325 / 0.282 / 0.230 /
  // 0.163, so top_p = 0.65 needs three tokens (at temperature 1 it would need two).
  SamplingParams p = seeded(1);
  p.temperature = 2.0;
  p.top_p = 0.65;
  Sampler sampler(p, {});
  const auto distribution = sampler.distribution(log_probabilities({0.4, 0.3, 0.2, 0.1}));
  ASSERT_EQ(ids(distribution), (std::vector<TokenId>{0, 1, 2}));
  const double total = std::sqrt(0.4) + std::sqrt(0.3) + std::sqrt(0.2);
  EXPECT_NEAR(distribution[0].probability, std::sqrt(0.4) / total, 1e-6);
  EXPECT_NEAR(distribution[2].probability, std::sqrt(0.2) / total, 1e-6);
}

TEST(Sampler, TopKKeepsTiesAndIgnoresTheTemperature) {
  // The k-th logit (2.0) is shared by ids 2 and 4: both stay. A temperature rescales what is kept
  // but does not change which tokens top-k keeps.
  for (double temperature : {0.3, 1.0, 4.0}) {
    SamplingParams p = seeded(1);
    p.top_k = 2;
    p.temperature = temperature;
    Sampler sampler(p, {});
    const auto distribution = sampler.distribution(std::vector<float>{1.0f, 3.0f, 2.0f, -1.0f, 2.0f});
    ASSERT_EQ(ids(distribution), (std::vector<TokenId>{1, 2, 4})) << temperature;
    const double total = std::exp(3.0 / temperature) + 2 * std::exp(2.0 / temperature);
    EXPECT_NEAR(distribution[0].probability, std::exp(3.0 / temperature) / total, 1e-12);
    EXPECT_NEAR(distribution[1].probability, std::exp(2.0 / temperature) / total, 1e-12);
  }
}

TEST(Sampler, TopKComesBeforeTopP) {
  // Top-k = 2 leaves 0.4 / 0.3, renormalised to 0.571 / 0.429: top_p = 0.5 then keeps one token.
  // Top-p alone over the full distribution would keep two.
  SamplingParams p = seeded(1);
  p.top_k = 2;
  p.top_p = 0.5;
  Sampler sampler(p, {});
  EXPECT_EQ(ids(sampler.distribution(log_probabilities({0.4, 0.3, 0.2, 0.1}))), (std::vector<TokenId>{0}));
  p.top_k = 0;
  Sampler without_top_k(p, {});
  EXPECT_EQ(ids(without_top_k.distribution(log_probabilities({0.4, 0.3, 0.2, 0.1}))),
            (std::vector<TokenId>{0, 1}));
}

TEST(Sampler, TopPComesBeforeMinP) {
  // top_p = 0.5 keeps 0.4 and 0.3; min_p = 0.6 (a floor of 0.24) keeps both. Applying min-p first
  // would renormalise to 0.571 / 0.429 and let top-p cut to one token.
  SamplingParams p = seeded(1);
  p.top_p = 0.5;
  p.min_p = 0.6;
  Sampler sampler(p, {});
  const auto distribution = sampler.distribution(log_probabilities({0.4, 0.3, 0.2, 0.1}));
  ASSERT_EQ(ids(distribution), (std::vector<TokenId>{0, 1}));
  EXPECT_NEAR(distribution[0].probability, 4.0 / 7.0, 1e-6);
  EXPECT_NEAR(distribution[1].probability, 3.0 / 7.0, 1e-6);
}

TEST(Sampler, NeverChoosesAMaskedToken) {
  Sampler sampler(seeded(5), {});
  const std::vector<float> logits = {kNegInf, 0.0f, kNegInf, 0.0f, kNegInf};
  for (int i = 0; i < 200; ++i) {
    const TokenId id = sampler.sample(logits).id;
    EXPECT_TRUE(id == 1 || id == 3) << id;
  }
  EXPECT_EQ(ids(sampler.distribution(logits)), (std::vector<TokenId>{1, 3}));
}

TEST(Sampler, ReturnsRawLogprobsWhenAsked) {
  // Penalty, temperature and top-k shape the choice but not the reported log-probabilities, which
  // are the model's: log_softmax of the raw logits (vLLM's default).
  SamplingParams p = seeded(3);
  p.temperature = 0.7;
  p.top_k = 1;
  p.repetition_penalty = 1.5;
  p.logprobs = 2;
  const std::vector<TokenId> prompt = {2};
  Sampler sampler(p, prompt);
  const std::vector<float> logits = {1.0f, 2.0f, 2.5f, kNegInf};
  const SampledToken token = sampler.sample(logits);
  EXPECT_EQ(token.id, 1);  // 2.5 / 1.5 < 2
  ASSERT_TRUE(token.logprobs.has_value());
  const double log_total = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(2.5));
  EXPECT_NEAR(token.logprobs->chosen, 2.0 - log_total, 1e-6);
  ASSERT_EQ(token.logprobs->top.size(), 2u);
  EXPECT_EQ(token.logprobs->top[0].id, 2);
  EXPECT_NEAR(token.logprobs->top[0].logprob, 2.5 - log_total, 1e-6);
  EXPECT_EQ(token.logprobs->top[1].id, 1);

  p.logprobs = 0;
  Sampler chosen_only(p, prompt);
  const SampledToken alone = chosen_only.sample(logits);
  ASSERT_TRUE(alone.logprobs.has_value());
  EXPECT_TRUE(alone.logprobs->top.empty());
  p.logprobs.reset();
  Sampler none(p, prompt);
  EXPECT_FALSE(none.sample(logits).logprobs.has_value());
}

TEST(Sampler, RejectsBrokenLogits) {
  Sampler sampler(seeded(1), {});
  Sampler greedy_sampler(greedy(), {});
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  for (Sampler* s : {&sampler, &greedy_sampler}) {
    EXPECT_EQ(error_of([&] { s->sample(std::vector<float>{0.0f, nan}); }),
              "sampling: the logit of token 1 is nan; logits must be finite or -inf");
    EXPECT_EQ(error_of([&] { s->sample(std::vector<float>{inf, 0.0f}); }),
              "sampling: the logit of token 0 is inf; logits must be finite or -inf");
    EXPECT_EQ(error_of([&] { s->sample(std::vector<float>{kNegInf, kNegInf}); }),
              "sampling: every token's logit is -inf");
    EXPECT_EQ(error_of([&] { s->sample(std::vector<float>{}); }), "sampling: the model gave no logits");
  }
}

TEST(Sampler, RejectsBadParamsAndPrompts) {
  SamplingParams p;
  p.top_p = 0;
  EXPECT_EQ(error_of([&] { Sampler s(p, {}); }), "top_p: must be in (0, 1], got 0");
  const std::vector<TokenId> prompt = {5, -1};
  EXPECT_EQ(error_of([&] { Sampler s(SamplingParams{}, prompt); }), "sampling: token id -1 is negative");
  SamplingParams penalised;
  penalised.repetition_penalty = 1.2;
  const std::vector<TokenId> long_id = {10};
  Sampler s(penalised, long_id);
  EXPECT_EQ(error_of([&] { s.sample(std::vector<float>{0.0f, 1.0f}); }),
            "sampling: token id 10 is outside the model's 2 logits");
}

TEST(Sampler, DrawsASeedWhenNoneIsGiven) {
  Sampler a(SamplingParams{}, {});
  Sampler b(SamplingParams{}, {});
  EXPECT_NE(a.seed(), b.seed());
  EXPECT_EQ(Sampler(seeded(42), {}).seed(), 42u);
}

}  // namespace
}  // namespace qwenrt::runtime
