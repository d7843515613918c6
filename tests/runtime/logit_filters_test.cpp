#include "runtime/logit_filters.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

namespace qwenrt::runtime {
namespace {

using tokenizer::TokenId;

// Weighed candidates for ids 0.. with the given logits.
std::vector<Candidate> candidates(const std::vector<double>& logits) {
  std::vector<Candidate> out;
  for (std::size_t i = 0; i < logits.size(); ++i) out.push_back({static_cast<TokenId>(i), logits[i]});
  weigh(out);
  return out;
}

// Logits whose softmax is exactly the given probabilities (up to rounding).
std::vector<Candidate> from_probabilities(const std::vector<double>& probabilities) {
  std::vector<double> logits;
  for (double p : probabilities) logits.push_back(std::log(p));
  return candidates(logits);
}

std::vector<TokenId> ids(const std::vector<Candidate>& cs) {
  std::vector<TokenId> out;
  for (const Candidate& c : cs) out.push_back(c.id);
  return out;
}

// The ids top-k keeps: those whose logit reaches the threshold.
std::vector<TokenId> top_k(const std::vector<float>& logits, std::size_t k) {
  const float threshold = top_k_threshold(logits, k);
  std::vector<TokenId> kept;
  for (std::size_t i = 0; i < logits.size(); ++i) {
    if (logits[i] >= threshold) kept.push_back(static_cast<TokenId>(i));
  }
  return kept;
}

std::vector<TokenId> top_p(std::vector<Candidate> cs, double p) {
  keep_top_p(cs, p);
  return ids(cs);
}

std::vector<TokenId> min_p(std::vector<Candidate> cs, double p) {
  keep_min_p(cs, p);
  return ids(cs);
}

TEST(LogitFilters, WeighGivesTheSoftmaxBeforeNormalising) {
  const std::vector<Candidate> cs = candidates({1.0, 3.0, -2.0});
  EXPECT_DOUBLE_EQ(cs[0].weight, std::exp(-2.0));
  EXPECT_DOUBLE_EQ(cs[1].weight, 1.0);
  EXPECT_DOUBLE_EQ(cs[2].weight, std::exp(-5.0));
}

TEST(LogitFilters, TopKKeepsTheHighestRanked) {
  EXPECT_EQ(top_k_threshold(std::vector<float>{1, 3, 2, 0, 2.5}, 2), 2.5f);
  EXPECT_EQ(top_k({1, 3, 2, 0, 2.5}, 2), (std::vector<TokenId>{1, 4}));
  EXPECT_EQ(top_k({1, 3, 2, 0, 2.5}, 3), (std::vector<TokenId>{1, 2, 4}));
  EXPECT_EQ(top_k({1, 3, 2, 0, 2.5}, 1), (std::vector<TokenId>{1}));
}

TEST(LogitFilters, TopKKeepsTiesWithTheKth) {
  // Hugging Face removes only logits below the k-th value, so every token tied with it stays.
  EXPECT_EQ(top_k({5, 4, 4, 1, 4}, 2), (std::vector<TokenId>{0, 1, 2, 4}));
  EXPECT_EQ(top_k({3, 1, 3}, 1), (std::vector<TokenId>{0, 2}));
}

TEST(LogitFilters, TopKOfAllKeepsAll) {
  const float neg_inf = -std::numeric_limits<float>::infinity();
  EXPECT_EQ(top_k({1, 3, 2}, 3), (std::vector<TokenId>{0, 1, 2}));
  // Past the unmasked tokens the threshold is -inf: the masked ones the sampler drops anyway.
  EXPECT_EQ(top_k_threshold(std::vector<float>{1, neg_inf, 2}, 3), neg_inf);
}

TEST(LogitFilters, TopPKeepsTheSmallestSetReachingP) {
  // By probability: id 1 (0.5), id 3 (0.25), id 2 (0.15), id 0 (0.1). The result stays in id order.
  const std::vector<Candidate> cs = from_probabilities({0.1, 0.5, 0.15, 0.25});
  EXPECT_EQ(top_p(cs, 0.3), (std::vector<TokenId>{1}));
  EXPECT_EQ(top_p(cs, 0.49), (std::vector<TokenId>{1}));
  EXPECT_EQ(top_p(cs, 0.51), (std::vector<TokenId>{1, 3}));
  EXPECT_EQ(top_p(cs, 0.74), (std::vector<TokenId>{1, 3}));
  EXPECT_EQ(top_p(cs, 0.76), (std::vector<TokenId>{1, 2, 3}));
  EXPECT_EQ(top_p(cs, 0.89), (std::vector<TokenId>{1, 2, 3}));
  EXPECT_EQ(top_p(cs, 0.91), (std::vector<TokenId>{0, 1, 2, 3}));
}

TEST(LogitFilters, TopPOfOneChangesNothing) {
  // p = 1 is "off", as Hugging Face adds no TopPLogitsWarper for it: token 1 would fall to any p < 1
  // (its probability underflows), but stays.
  EXPECT_EQ(top_p(candidates({2, -1000, 3}), 1.0), (std::vector<TokenId>{0, 1, 2}));
}

TEST(LogitFilters, TopPWithAllMassInOneToken) {
  EXPECT_EQ(top_p(candidates({0, 100, 0, -5}), 0.999999), (std::vector<TokenId>{1}));
  EXPECT_EQ(top_p(candidates({7}), 0.1), (std::vector<TokenId>{0}));
}

TEST(LogitFilters, TopPKeepsTokensTiedWithTheLastKept) {
  // Ids 1 and 2 share the top logit (0.42 each): p = 0.3 is reached by the first, and its twin stays.
  EXPECT_EQ(top_p(candidates({1, 2, 2, 0}), 0.3), (std::vector<TokenId>{1, 2}));
  // A flat distribution is all one tie: nothing can be cut without choosing by id.
  std::vector<double> flat(300, 0.25);
  EXPECT_EQ(top_p(candidates(flat), 0.5).size(), 300u);
}

TEST(LogitFilters, TopPOverManyTokensMatchesASortedWalk) {
  // 5000 distinct logits in shuffled order; the selection must find the nucleus a full sort does.
  const std::size_t n = 5000;
  std::vector<double> logits(n);
  for (std::size_t i = 0; i < n; ++i) logits[i] = -0.002 * static_cast<double>((i * 7919) % n);
  std::vector<double> probabilities(n);
  const double total = std::accumulate(logits.begin(), logits.end(), 0.0,
                                       [](double sum, double l) { return sum + std::exp(l); });
  std::transform(logits.begin(), logits.end(), probabilities.begin(), [&](double l) { return std::exp(l) / total; });
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return logits[a] > logits[b]; });
  // Reference: walk the ranked probabilities until they reach p.
  const double p = 0.9;
  std::vector<TokenId> expected;
  double mass = 0;
  for (std::size_t i : order) {
    if (mass >= p) break;
    expected.push_back(static_cast<TokenId>(i));
    mass += probabilities[i];
  }
  ASSERT_GT(expected.size(), 1000u);
  ASSERT_LT(expected.size(), n);
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(top_p(candidates(logits), p), expected);
  for (double small_p : {0.001, 0.3, 0.999}) {
    const std::size_t kept = top_p(candidates(logits), small_p).size();
    double mass_without_last = 0;
    for (std::size_t i = 0; i + 1 < kept; ++i) mass_without_last += probabilities[order[i]];
    EXPECT_LT(mass_without_last, small_p);
    EXPECT_GE(mass_without_last + probabilities[order[kept - 1]], small_p);
  }
}

TEST(LogitFilters, MinPDropsTokensFarBelowTheMostLikely) {
  const std::vector<Candidate> cs = from_probabilities({0.5, 0.3, 0.04, 0.16});
  // 0.1 * 0.5 = 0.05: only id 2 (0.04) falls below.
  EXPECT_EQ(min_p(cs, 0.1), (std::vector<TokenId>{0, 1, 3}));
  EXPECT_EQ(min_p(cs, 0.5), (std::vector<TokenId>{0, 1}));
  EXPECT_EQ(min_p(cs, 0.0), (std::vector<TokenId>{0, 1, 2, 3}));
  EXPECT_EQ(min_p(cs, 1.0), (std::vector<TokenId>{0}));
  EXPECT_EQ(min_p(candidates({2, 1, 2}), 1.0), (std::vector<TokenId>{0, 2}));
}

}  // namespace
}  // namespace qwenrt::runtime
