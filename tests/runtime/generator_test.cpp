// The generation loop on the CPU backend with a fixture model and the real Qwen vocabulary: each way
// of finishing, checked against an unconstrained greedy run of the same prompt.
#include "runtime/generator.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "engine/cpu_transformer.h"

namespace qwenrt::runtime {
namespace {

using tokenizer::TokenId;

class GeneratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto tokenizer_file = std::filesystem::path(QWENRT_TESTDATA_DIR) / "tokenizer/tokenizer.json";
    ASSERT_TRUE(std::filesystem::exists(tokenizer_file)) << "run scripts/make_testdata.sh first";
    tokenizer_ = std::make_unique<tokenizer::Tokenizer>(tokenizer::Tokenizer::from_tokenizer_json(tokenizer_file));
    model_ = std::make_unique<engine::LoadedModel>(
        engine::LoadedModel::load(std::filesystem::path(QWENRT_SOURCE_DIR) / "tests/data/models/qwen-v1-f32"));
    backend_ = std::make_unique<engine::CpuTransformer>(*model_, pool_, engine::CpuCacheOptions{16, 8});
  }

  GenerationResult generate(const SamplingParams& params, std::vector<TokenId> eos = {},
                            const TextCallback& on_text = [](std::string_view) { return true; }) {
    Generator generator(*backend_, *tokenizer_, std::move(eos));
    return generator.generate(prompt_, params, on_text);
  }

  static SamplingParams greedy(std::size_t max_new) {
    SamplingParams p;
    p.temperature = 0;
    p.max_new_tokens = max_new;
    return p;
  }

  ThreadPool pool_{1};
  std::unique_ptr<tokenizer::Tokenizer> tokenizer_;
  std::unique_ptr<engine::LoadedModel> model_;
  std::unique_ptr<engine::CpuTransformer> backend_;
  std::vector<TokenId> prompt_ = {3, 141, 59, 265, 358, 97, 93, 238};
};

TEST_F(GeneratorTest, StopsAtTheTokenLimitAndStreamsEveryCharacter) {
  std::string streamed;
  const auto r = generate(greedy(12), {}, [&](std::string_view t) {
    streamed += t;
    return true;
  });
  EXPECT_EQ(r.finish, FinishReason::kLength);
  EXPECT_EQ(r.tokens.size(), 12u);
  EXPECT_EQ(r.prompt_tokens, prompt_.size());
  EXPECT_EQ(streamed, r.text);
  EXPECT_EQ(r.text, tokenizer_->decode_text(r.tokens));
}

TEST_F(GeneratorTest, EndOfTextIdsStopUnlessIgnoredAndExtraStopIdsAlwaysStop) {
  const auto full = generate(greedy(12));
  // The first id that does not occur earlier: stopping on it cuts the run right there.
  std::size_t cut = 1;
  while (std::find(full.tokens.begin(), full.tokens.begin() + static_cast<std::ptrdiff_t>(cut), full.tokens[cut]) !=
         full.tokens.begin() + static_cast<std::ptrdiff_t>(cut)) {
    ++cut;
  }
  ASSERT_LT(cut, full.tokens.size());
  const std::vector<TokenId> before(full.tokens.begin(), full.tokens.begin() + static_cast<std::ptrdiff_t>(cut));

  const auto eos = generate(greedy(12), {full.tokens[cut]});
  EXPECT_EQ(eos.finish, FinishReason::kStop);
  EXPECT_EQ(eos.tokens, before);

  SamplingParams ignore = greedy(12);
  ignore.ignore_eos = true;
  EXPECT_EQ(generate(ignore, {full.tokens[cut]}).tokens, full.tokens);

  ignore.stop_token_ids = {full.tokens[cut]};
  const auto extra = generate(ignore, {});
  EXPECT_EQ(extra.finish, FinishReason::kStop);
  EXPECT_EQ(extra.tokens, before);
}

TEST_F(GeneratorTest, StopStringsTrimTheText) {
  const auto full = generate(greedy(12));
  ASSERT_GE(full.text.size(), 4u);
  SamplingParams p = greedy(12);
  const std::size_t at = full.text.size() / 2;
  p.stop = {full.text.substr(at, 2)};
  const auto r = generate(p);
  EXPECT_EQ(r.finish, FinishReason::kStop);
  EXPECT_EQ(r.text, full.text.substr(0, full.text.find(p.stop[0])));
}

TEST_F(GeneratorTest, ACallbackReturningFalseCancels) {
  int calls = 0;
  const auto r = generate(greedy(12), {}, [&](std::string_view) { return ++calls < 2; });
  EXPECT_EQ(r.finish, FinishReason::kCancelled);
  EXPECT_EQ(calls, 2);
  EXPECT_LT(r.tokens.size(), 12u);
}

TEST_F(GeneratorTest, APromptThatFillsTheContextIsAnError) {
  const std::vector<TokenId> long_prompt(16 * 8, 5);
  Generator generator(*backend_, *tokenizer_, {});
  EXPECT_THROW(generator.generate(long_prompt, greedy(1), [](std::string_view) { return true; }), Error);
}

}  // namespace
}  // namespace qwenrt::runtime
