// The synthetic ShareGPT file with the real Qwen tokenizer: each text is exactly the length drawn,
// the file reads back through the dataset reader, and what vLLM's sampling keeps of a few hundred
// conversations has the published ShareGPT means (sharegpt_generator.h) within sampling error.
#include "cli/bench/sharegpt_generator.h"

#include <gtest/gtest.h>

#include "bench_test_support.h"
#include "cli/bench/sharegpt_dataset.h"

namespace qwenrt::bench {
namespace {

class ShareGptGenerator : public ::testing::Test {
 protected:
  void SetUp() override {
    tokenizer_ = testing::qwen_tokenizer();
    ASSERT_NE(tokenizer_, nullptr);
  }
  const tokenizer::Tokenizer* tokenizer_ = nullptr;
};

TEST_F(ShareGptGenerator, TextsHaveExactlyTheDrawnLengthsAndTheFileReadsBack) {
  const auto conversations = generate_sharegpt(*tokenizer_, 300, 1);
  ASSERT_EQ(conversations.size(), 300u);
  std::size_t single_turn = 0;
  for (const GeneratedConversation& c : conversations) {
    EXPECT_EQ(tokenizer_->encode(c.prompt).size(), c.prompt_tokens) << c.id;
    EXPECT_EQ(tokenizer_->encode(c.answer).size(), c.answer_tokens) << c.id;
    EXPECT_LE(c.prompt_tokens, kSharegptPromptLengths.max);
    single_turn += c.answer_tokens == 0 ? 1 : 0;
  }
  EXPECT_GT(single_turn, 0u) << "the sampler's two-turn rule must have something to drop";

  const auto read = read_sharegpt(testing::scratch_file("generated.json", sharegpt_json(conversations)));
  ASSERT_EQ(read.size(), conversations.size());
  for (std::size_t i = 0; i < read.size(); ++i) {
    EXPECT_EQ(read[i].id, conversations[i].id);
    EXPECT_EQ(read[i].turns, conversations[i].answer_tokens > 0 ? 2u : 1u);
    EXPECT_EQ(read[i].prompt, conversations[i].prompt);
    EXPECT_EQ(read[i].completion, conversations[i].answer);
  }
}

TEST_F(ShareGptGenerator, WhatTheSamplerKeepsHasShareGptsPublishedMeans) {
  const auto conversations = generate_sharegpt(*tokenizer_, 400, 2);
  const ShareGptLengths l = measure_sharegpt(read_sharegpt(testing::scratch_file("stats.json", sharegpt_json(conversations))), *tokenizer_);
  // Published: 224-230 prompt and 198-203 output tokens after vLLM's filter. With 400 draws of these
  // long-tailed lengths the standard error of each mean is about 6%: allow 15%.
  EXPECT_NEAR(l.valid_prompt.mean, 227, 227 * 0.15);
  EXPECT_NEAR(l.valid_output.mean, 200, 200 * 0.15);
  // Long-tailed as ShareGPT is: the median well below the mean, and some prompts too long to keep.
  EXPECT_LT(l.valid_prompt.p50, l.valid_prompt.mean);
  EXPECT_LT(l.valid_output.p50, l.valid_output.mean);
  EXPECT_GT(l.prompt.p99, static_cast<double>(kMaxPromptTokens));
  EXPECT_LT(l.valid, l.multi_turn);
  EXPECT_GT(l.valid, l.multi_turn * 9 / 10);
}

TEST_F(ShareGptGenerator, TheSeedFixesTheFile) {
  const std::string a = sharegpt_json(generate_sharegpt(*tokenizer_, 20, 9));
  EXPECT_EQ(sharegpt_json(generate_sharegpt(*tokenizer_, 20, 9)), a);
  EXPECT_NE(sharegpt_json(generate_sharegpt(*tokenizer_, 20, 10)), a);
  EXPECT_TRUE(testing::throws_error_with([&] { generate_sharegpt(*tokenizer_, 0, 1); }, "--conversations must be at least 1"));
}

}  // namespace
}  // namespace qwenrt::bench
