#include "runtime/sequence_penalty_state.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/error.h"

namespace qwenrt::runtime {
namespace {

using tokenizer::TokenId;

std::vector<float> penalized(const SequencePenaltyState& state, const SamplingParams& params,
                             std::vector<float> logits) {
  state.apply(params, logits);
  return logits;
}

TEST(SequencePenaltyState, RepetitionPenaltyDividesPositiveAndMultipliesNegativeLogits) {
  const std::vector<TokenId> prompt = {0, 1, 1, 0};  // repeats count once, as Hugging Face's gather does
  SequencePenaltyState state(prompt);
  state.add_generated(4);
  SamplingParams params;
  params.repetition_penalty = 2.0;
  EXPECT_EQ(penalized(state, params, {3.0f, -1.5f, 0.5f, 6.0f, 0.0f}),
            (std::vector<float>{1.5f, -3.0f, 0.5f, 6.0f, 0.0f}));
  params.repetition_penalty = 0.5;  // below 1 it favours repetition
  EXPECT_EQ(penalized(state, params, {3.0f, -1.5f, 0.5f, 6.0f, 0.0f}),
            (std::vector<float>{6.0f, -0.75f, 0.5f, 6.0f, 0.0f}));
}

TEST(SequencePenaltyState, PresenceAndFrequencyCountGeneratedTokensOnly) {
  const std::vector<TokenId> prompt = {1, 3};
  SequencePenaltyState state(prompt);
  for (TokenId id : {2, 2, 2, 3}) state.add_generated(id);
  EXPECT_EQ(state.generated_count(2), 3u);
  EXPECT_EQ(state.generated_count(3), 1u);
  EXPECT_EQ(state.generated_count(1), 0u);
  EXPECT_EQ(state.generated_count(7), 0u);
  EXPECT_EQ(state.distinct_tokens(), 3u);
  SamplingParams params;
  params.presence_penalty = 0.5;
  params.frequency_penalty = 0.25;
  // token 2: 1 - 0.5 - 3 * 0.25; token 3: 1 - 0.5 - 0.25; token 1 is in the prompt only: untouched.
  EXPECT_EQ(penalized(state, params, {1, 1, 1, 1}), (std::vector<float>{1.0f, 1.0f, -0.25f, 0.25f}));
  params.presence_penalty = -1.0;  // negative values encourage the tokens instead
  params.frequency_penalty = 0.0;
  EXPECT_EQ(penalized(state, params, {1, 1, 1, 1}), (std::vector<float>{1.0f, 1.0f, 2.0f, 2.0f}));
}

TEST(SequencePenaltyState, RepetitionPenaltyComesBeforeTheAdditivePenalties) {
  SequencePenaltyState state;
  state.add_generated(0);
  state.add_generated(1);
  SamplingParams params;
  params.repetition_penalty = 2.0;
  params.presence_penalty = 1.0;
  // 4 / 2 - 1 = 1 (the other order would give (4 - 1) / 2 = 1.5); -2 * 2 - 1 = -5 (not -6).
  EXPECT_EQ(penalized(state, params, {4.0f, -2.0f, 9.0f}), (std::vector<float>{1.0f, -5.0f, 9.0f}));
}

TEST(SequencePenaltyState, NoPenaltyLeavesLogitsAlone) {
  const std::vector<TokenId> prompt = {0, 1, 2};
  const SequencePenaltyState state(prompt);
  EXPECT_EQ(penalized(state, SamplingParams{}, {0.5f, -0.5f, 2.0f}), (std::vector<float>{0.5f, -0.5f, 2.0f}));
}

TEST(SequencePenaltyState, RejectsIdsOutsideTheLogits) {
  const std::vector<TokenId> prompt = {0, 151936};
  const SequencePenaltyState state(prompt);
  SamplingParams params;
  params.repetition_penalty = 1.1;
  std::vector<float> logits(151936, 0.0f);
  try {
    state.apply(params, logits);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "sampling: token id 151936 is outside the model's 151936 logits");
  }
  const std::vector<TokenId> negative = {3, -2};
  try {
    SequencePenaltyState bad(negative);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "sampling: token id -2 is negative");
  }
}

}  // namespace
}  // namespace qwenrt::runtime
