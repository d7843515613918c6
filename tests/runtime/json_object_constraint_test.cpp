// The JSON-object constraint on the real Qwen vocabulary: decoding from random logits through the mask
// always gives one JSON object, whatever the seed and however small the token limit, and the mask
// keeps exactly the tokens whose bytes continue the text.
#include "runtime/json_object_constraint.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

#include "runtime/sampler.h"
#include "serving_test_support.h"

namespace qwenrt::runtime {
namespace {

using serving_test::load_test_tokenizer;

class JsonObjectConstraintTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tokenizer_ = load_test_tokenizer();
    ASSERT_NE(tokenizer_, nullptr) << "run scripts/make_testdata.sh first";
    vocabulary_ = std::make_shared<const JsonVocabulary>(*tokenizer_);
    end_ = *tokenizer_->added_token_id("<|im_end|>");
  }

  // Samples up to max_tokens tokens from random logits through the mask; returns the text and whether
  // it ended with the end id.
  std::pair<std::string, bool> decode(std::uint32_t seed, std::size_t max_tokens) {
    JsonObjectConstraint constraint(vocabulary_, {end_}, max_tokens);
    SamplingParams params;
    params.seed = seed;
    Sampler sampler(params, {});
    std::mt19937 random(seed);
    std::normal_distribution<float> normal(0.0f, 4.0f);
    std::vector<float> logits(tokenizer_->vocab_size() + 256);  // models pad their vocabulary
    std::vector<tokenizer::TokenId> ids;
    for (std::size_t step = 0; step < max_tokens; ++step) {
      for (float& l : logits) l = normal(random);
      const tokenizer::TokenId id = sampler.sample(constraint.mask(logits)).id;
      constraint.accept(id);
      if (id == end_) return {tokenizer_->decode(ids), true};
      ids.push_back(id);
    }
    return {tokenizer_->decode(ids), false};
  }

  std::unique_ptr<tokenizer::Tokenizer> tokenizer_;
  std::shared_ptr<const JsonVocabulary> vocabulary_;
  tokenizer::TokenId end_ = 0;
};

TEST_F(JsonObjectConstraintTest, EveryDecodingIsOneJsonObjectWithinItsLimit) {
  std::size_t ended = 0;
  for (std::uint32_t seed = 0; seed < 24; ++seed) {
    const std::size_t max_tokens = 2 + seed % 4 * 6;  // 2, 8, 14, 20
    const auto [text, ended_with_end_id] = decode(seed, max_tokens);
    ended += ended_with_end_id;
    const nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
    ASSERT_FALSE(parsed.is_discarded()) << "seed " << seed << ": " << text;
    EXPECT_TRUE(parsed.is_object()) << "seed " << seed << ": " << text;
  }
  EXPECT_GT(ended, 0u) << "some decodings close the object early and end";
}

TEST_F(JsonObjectConstraintTest, AVocabularyThatForgetsEveryStateMasksTheSame) {
  std::vector<std::string> remembered;
  for (std::uint32_t seed = 40; seed < 43; ++seed) remembered.push_back(decode(seed, 12).first);
  vocabulary_ = std::make_shared<const JsonVocabulary>(*tokenizer_, /*cache_limit=*/1);
  for (std::uint32_t seed = 40; seed < 43; ++seed) EXPECT_EQ(decode(seed, 12).first, remembered[seed - 40]);
}

TEST_F(JsonObjectConstraintTest, MaskKeepsExactlyTheTokensThatContinueTheText) {
  JsonObjectConstraint constraint(vocabulary_, {end_}, 1000);
  for (const tokenizer::TokenId id : tokenizer_->encode("{\"name\": \"qw")) constraint.accept(id);
  std::vector<float> logits(tokenizer_->vocab_size(), 1.0f);
  const std::span<const float> masked = constraint.mask(logits);
  std::size_t kept = 0;
  for (std::size_t id = 0; id < masked.size(); ++id) {
    const auto token = static_cast<tokenizer::TokenId>(id);
    const std::string_view bytes = vocabulary_->bytes_of(token);
    JsonObjectSyntax next = constraint.syntax();
    bool continues = !bytes.empty();
    for (const char c : bytes) continues = continues && next.advance(static_cast<unsigned char>(c));
    EXPECT_EQ(!std::isinf(masked[id]), continues) << "token " << id << " '" << bytes << "'";
    kept += continues;
  }
  EXPECT_GT(kept, 100000u) << "inside a string almost every token continues";
  EXPECT_TRUE(std::isinf(masked[static_cast<std::size_t>(end_)])) << "the object is still open";
}

TEST_F(JsonObjectConstraintTest, AfterTheObjectOnlyTheEndIdRemains) {
  JsonObjectConstraint constraint(vocabulary_, {end_}, 1000);
  for (const tokenizer::TokenId id : tokenizer_->encode("{\"a\": [1, 2]}")) constraint.accept(id);
  ASSERT_TRUE(constraint.syntax().complete());
  std::vector<float> logits(tokenizer_->vocab_size(), 0.5f);
  const std::span<const float> masked = constraint.mask(logits);
  for (std::size_t id = 0; id < masked.size(); ++id) {
    EXPECT_EQ(std::isinf(masked[id]), id != static_cast<std::size_t>(end_)) << id;
  }
}

}  // namespace
}  // namespace qwenrt::runtime
