// The engine end to end on the CPU backend with the qwen2-f32 fixture: requests submitted from many
// threads at once, through its engine thread, must generate exactly what each generates alone, with
// shared prefixes, under preemption, and when cancelled from another thread.
#include "runtime/llm_engine.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "core/error.h"
#include "serving_test_support.h"

namespace qwenrt::runtime {
namespace {

using namespace qwenrt::runtime::serving_test;

class LlmEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tokenizer_ = load_test_tokenizer();
    ASSERT_NE(tokenizer_, nullptr) << "run scripts/make_testdata.sh first";
    reference_ = std::make_unique<ReferenceGenerator>(model_, *tokenizer_);
  }

  void start(SchedulerConfig config, std::size_t block_size = 16, std::size_t num_blocks = 64) {
    backend_ = std::make_unique<engine::CpuTransformer>(model_, pool_, engine::CpuCacheOptions{block_size, num_blocks});
    engine_ = std::make_unique<LlmEngine>(*backend_, *tokenizer_, std::vector<TokenId>{}, config);
  }

  // Generates every prompt at once, one client thread each, and checks each against the Generator.
  std::vector<RequestResult> generate_concurrently(const std::vector<std::vector<TokenId>>& prompts,
                                                   const std::vector<SamplingParams>& params) {
    std::vector<std::future<RequestResult>> futures;
    for (std::size_t i = 0; i < prompts.size(); ++i) {
      futures.push_back(std::async(std::launch::async, [&, i] { return engine_->generate(prompts[i], params[i]); }));
    }
    std::vector<RequestResult> results;
    for (auto& f : futures) results.push_back(f.get());
    for (std::size_t i = 0; i < prompts.size(); ++i) {
      const GenerationResult alone = reference_->run(prompts[i], params[i]);
      EXPECT_EQ(results[i].tokens, alone.tokens) << "request " << i;
      EXPECT_EQ(results[i].text, alone.text) << "request " << i;
      EXPECT_EQ(results[i].finish, alone.finish) << "request " << i;
    }
    return results;
  }

  // Stats are published at the end of each step, a moment after the last callback.
  void expect_all_blocks_free_soon() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    SchedulerStats s = engine_->stats();
    while (s.free_blocks != s.total_blocks && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      s = engine_->stats();
    }
    EXPECT_EQ(s.free_blocks, s.total_blocks);
  }

  std::unique_ptr<tokenizer::Tokenizer> tokenizer_;
  engine::LoadedModel model_ = load_fixture_model("qwen2-f32");
  ThreadPool pool_{1};
  std::unique_ptr<ReferenceGenerator> reference_;
  std::unique_ptr<engine::CpuTransformer> backend_;
  std::unique_ptr<LlmEngine> engine_;
};

TEST_F(LlmEngineTest, ConcurrentRequestsGenerateWhatEachGeneratesAlone) {
  start({.max_num_seqs = 8, .max_num_batched_tokens = 64});
  std::vector<std::vector<TokenId>> prompts;
  std::vector<SamplingParams> params;
  for (std::uint32_t i = 0; i < 8; ++i) {
    prompts.push_back(random_tokens(5 + 9 * i, 400 + i));
    params.push_back(greedy(8 + 2 * i));
  }
  // Half of them sample, each from its own seed.
  for (std::uint32_t i = 0; i < 8; i += 2) {
    params[i].temperature = 0.9;
    params[i].top_k = 40;
    params[i].seed = 1000 + i;
  }
  const auto results = generate_concurrently(prompts, params);
  for (std::size_t i = 0; i < results.size(); ++i) {
    const RequestMetrics& m = results[i].metrics;
    EXPECT_EQ(m.prompt_tokens, prompts[i].size());
    EXPECT_EQ(m.output_tokens, *params[i].max_new_tokens);
    EXPECT_GT(m.time_to_first_token, 0);
    EXPECT_GE(m.total_seconds, m.time_to_first_token);
    EXPECT_GE(m.time_to_first_token, m.queue_seconds);
    EXPECT_GT(m.time_per_output_token, 0);
  }
  expect_all_blocks_free_soon();
  EXPECT_EQ(engine_->stats().generated_tokens, 8u * 8 + 2u * 28);
}

TEST_F(LlmEngineTest, RequestsSharingAPrefixReuseItsBlocks) {
  start({.max_num_seqs = 8, .max_num_batched_tokens = 128});
  const auto system = random_tokens(40, 500);  // two whole blocks of 16 and eight tokens
  std::vector<std::vector<TokenId>> prompts = {concat(system, random_tokens(3, 501))};
  std::vector<SamplingParams> params = {greedy(6)};
  generate_concurrently(prompts, params);
  for (std::uint32_t i = 0; i < 6; ++i) {
    prompts.push_back(concat(system, random_tokens(2 + i, 510 + i)));
    params.push_back(greedy(6 + i));
  }
  const auto results = generate_concurrently(prompts, params);
  for (const RequestResult& r : results) EXPECT_EQ(r.metrics.cached_prompt_tokens, 32u);
  expect_all_blocks_free_soon();
  EXPECT_EQ(engine_->stats().cached_prompt_tokens, 32u * 7);
}

TEST_F(LlmEngineTest, ATinyCacheForcesPreemptionWithoutChangingAnyResult) {
  // 20 blocks of 4 tokens; six requests need up to 14 blocks each.
  start({.max_num_seqs = 6, .max_num_batched_tokens = 32, .kv_watermark = 0}, 4, 20);
  std::vector<std::vector<TokenId>> prompts;
  std::vector<SamplingParams> params;
  for (std::uint32_t i = 0; i < 6; ++i) {
    prompts.push_back(random_tokens(8 + 4 * i, 600 + i));
    params.push_back(greedy(30));
  }
  const auto results = generate_concurrently(prompts, params);
  std::size_t preempted = 0;
  for (const RequestResult& r : results) preempted += r.metrics.preemptions;
  EXPECT_GT(preempted, 0u);
  expect_all_blocks_free_soon();
  EXPECT_EQ(engine_->stats().preemptions, preempted);
}

TEST_F(LlmEngineTest, ACancelFromAnotherThreadEndsTheRequestAndFreesItsBlocks) {
  start({});
  std::promise<void> first_token;
  std::promise<RequestResult> done;
  bool told = false;
  const RequestId id = engine_->submit(Request{random_tokens(20, 700), greedy(900), [&](const RequestUpdate& u) {
                                                 if (u.token && !told) {
                                                   told = true;
                                                   first_token.set_value();
                                                 }
                                                 if (u.result != nullptr) done.set_value(*u.result);
                                                 return true;
                                               }});
  first_token.get_future().wait();
  engine_->cancel(id);
  const RequestResult r = done.get_future().get();
  EXPECT_EQ(r.finish, FinishReason::kCancelled);
  EXPECT_GE(r.tokens.size(), 1u);
  EXPECT_LT(r.tokens.size(), 900u);
  expect_all_blocks_free_soon();
  // The engine goes on serving.
  const auto prompt = random_tokens(7, 701);
  EXPECT_EQ(engine_->generate(prompt, greedy(5)).tokens, reference_->run(prompt, greedy(5)).tokens);
}

TEST_F(LlmEngineTest, BadRequestsThrowInTheCallersThread) {
  start({});
  EXPECT_THROW(engine_->generate({}, greedy(3)), Error);
  EXPECT_THROW(engine_->generate({600}, greedy(3)), Error);
  EXPECT_EQ(engine_->context_length(), 16u * 64);
}

TEST_F(LlmEngineTest, DestroyingTheEngineCancelsWhatIsUnfinished) {
  start({.max_num_seqs = 1, .max_num_batched_tokens = 16});
  std::vector<std::future<RequestResult>> results;
  std::vector<std::shared_ptr<std::promise<RequestResult>>> promises;
  for (std::uint32_t i = 0; i < 3; ++i) {
    auto p = std::make_shared<std::promise<RequestResult>>();
    results.push_back(p->get_future());
    engine_->submit(Request{random_tokens(10, 800 + i), greedy(1000), [p](const RequestUpdate& u) {
                              if (u.result != nullptr) p->set_value(*u.result);
                              return true;
                            }});
  }
  engine_.reset();
  for (auto& r : results) EXPECT_EQ(r.get().finish, FinishReason::kCancelled);
}

}  // namespace
}  // namespace qwenrt::runtime
