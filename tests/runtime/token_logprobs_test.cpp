#include "runtime/token_logprobs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "runtime/random_stream.h"

namespace qwenrt::runtime {
namespace {

using tokenizer::TokenId;

TEST(TokenLogprobs, AreTheLogSoftmaxOfTheLogits) {
  const float neg_inf = -std::numeric_limits<float>::infinity();
  const std::vector<float> logits = {1.0f, 3.0f, neg_inf, 2.0f};
  const double log_total = std::log(std::exp(1.0) + std::exp(3.0) + std::exp(2.0));
  const TokenLogprobs result = raw_logprobs(logits, 3, 5);
  EXPECT_NEAR(result.chosen, 2.0 - log_total, 1e-6);
  // The masked token is not listed, so five requested give three.
  ASSERT_EQ(result.top.size(), 3u);
  EXPECT_EQ(result.top[0].id, 1);
  EXPECT_NEAR(result.top[0].logprob, 3.0 - log_total, 1e-6);
  EXPECT_EQ(result.top[1].id, 3);
  EXPECT_EQ(result.top[2].id, 0);
  EXPECT_NEAR(result.top[2].logprob, 1.0 - log_total, 1e-6);
  EXPECT_TRUE(raw_logprobs(logits, 1, 0).top.empty());
}

TEST(TokenLogprobs, TiesListTheLowerIdFirst) {
  const std::vector<float> logits = {0.0f, 5.0f, 1.0f, 5.0f, 5.0f};
  const TokenLogprobs result = raw_logprobs(logits, 0, 2);
  ASSERT_EQ(result.top.size(), 2u);
  EXPECT_EQ(result.top[0].id, 1);
  EXPECT_EQ(result.top[1].id, 3);
}

TEST(TokenLogprobs, TopOfAFullVocabularyMatchesASort) {
  // A Qwen-sized row of varied logits, against a full sort of it.
  const std::size_t vocab = 151936;
  RandomStream values(9);
  std::vector<float> logits(vocab);
  for (float& l : logits) l = static_cast<float>(30 * values.next_uniform() - 15);
  std::vector<TokenId> order(vocab);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](TokenId a, TokenId b) {
    return logits[static_cast<std::size_t>(a)] > logits[static_cast<std::size_t>(b)];
  });
  double total = 0;
  for (float l : logits) total += std::exp(static_cast<double>(l));
  const TokenLogprobs result = raw_logprobs(logits, 1234, 20);
  ASSERT_EQ(result.top.size(), 20u);
  for (std::size_t i = 0; i < 20; ++i) {
    EXPECT_EQ(result.top[i].id, order[i]) << "rank " << i;
    EXPECT_NEAR(result.top[i].logprob, logits[static_cast<std::size_t>(order[i])] - std::log(total), 1e-5);
  }
  EXPECT_NEAR(result.chosen, logits[1234] - std::log(total), 1e-5);
}

}  // namespace
}  // namespace qwenrt::runtime
