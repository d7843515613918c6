// The scheduler driven step by step on the CPU backend with the qwen2-f32 fixture: every batch it
// builds is checked against its promises (sequence and token budgets, writes only to private blocks),
// and every request's tokens against the same request run alone by the Generator.
#include "runtime/scheduler.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "core/error.h"
#include "serving_test_support.h"

namespace qwenrt::runtime {
namespace {

using namespace qwenrt::runtime::serving_test;

// Hands each batch to the CPU transformer after checking it.
class CheckingBackend final : public engine::Backend {
 public:
  CheckingBackend(engine::Backend& inner, const SchedulerConfig& config) : inner_(inner), config_(config) {}
  void watch(const KvBlockManager& blocks) { blocks_ = &blocks; }

  void forward(std::span<const engine::SequenceStep> batch, std::vector<float>& logits) override {
    std::size_t tokens = 0;
    for (const engine::SequenceStep& s : batch) {
      tokens += s.tokens.size();
      // Every position written must be in a block that this sequence alone holds.
      for (std::size_t p = s.first_position; p < s.first_position + s.tokens.size(); ++p) {
        EXPECT_EQ(blocks_->ref_count(s.block_table[p / kv_block_size()]), 1u) << "position " << p << " is shared";
      }
    }
    EXPECT_LE(batch.size(), config_.max_num_seqs);
    EXPECT_LE(tokens, config_.max_num_batched_tokens);
    batch_sizes.push_back(batch.size());
    batch_tokens.push_back(tokens);
    inner_.forward(batch, logits);
  }
  const model::ModelConfig& config() const override { return inner_.config(); }
  std::size_t kv_block_size() const override { return inner_.kv_block_size(); }
  std::size_t kv_block_count() const override { return inner_.kv_block_count(); }

  std::vector<std::size_t> batch_sizes, batch_tokens;

 private:
  engine::Backend& inner_;
  SchedulerConfig config_;
  const KvBlockManager* blocks_ = nullptr;
};

// What the callbacks saw, by request.
struct Outputs {
  std::map<RequestId, RequestResult> results;
  std::map<RequestId, std::string> streamed;
  std::map<RequestId, std::vector<TokenId>> tokens;
  std::map<RequestId, std::vector<std::size_t>> token_steps;  // the step each token came in
  std::map<RequestId, std::size_t> final_updates;
  std::size_t step = 0;

  RequestCallback sink(std::size_t cancel_after = SIZE_MAX) {
    return [this, cancel_after](const RequestUpdate& u) {
      streamed[u.id] += u.text;
      if (u.token) {
        tokens[u.id].push_back(*u.token);
        token_steps[u.id].push_back(step);
      }
      if (u.result != nullptr) {
        results[u.id] = *u.result;
        ++final_updates[u.id];
      }
      return tokens[u.id].size() < cancel_after;
    };
  }
};

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tokenizer_ = load_test_tokenizer();
    ASSERT_NE(tokenizer_, nullptr) << "run scripts/make_testdata.sh first";
  }

  // A scheduler over a cache of num_blocks blocks of block_size tokens.
  void start(SchedulerConfig config, std::size_t block_size = 16, std::size_t num_blocks = 64) {
    cpu_ = std::make_unique<engine::CpuTransformer>(model_, pool_, engine::CpuCacheOptions{block_size, num_blocks});
    backend_ = std::make_unique<CheckingBackend>(*cpu_, config);
    scheduler_ = std::make_unique<Scheduler>(*backend_, *tokenizer_, std::vector<TokenId>{}, config);
    backend_->watch(scheduler_->blocks());
  }

  RequestId submit(const std::vector<TokenId>& prompt, const SamplingParams& params, std::size_t cancel_after = SIZE_MAX) {
    return scheduler_->submit(Request{prompt, params, outputs_.sink(cancel_after)});
  }

  void run_until_idle() {
    while (scheduler_->step()) ++outputs_.step;
    const SchedulerStats s = scheduler_->stats();
    EXPECT_EQ(s.running, 0u);
    EXPECT_EQ(s.waiting, 0u);
    EXPECT_EQ(scheduler_->queued(), 0u);
    EXPECT_EQ(scheduler_->blocks().free_blocks(), scheduler_->blocks().total_blocks()) << "blocks leaked";
  }

  // The request's output equals the Generator's on the same prompt, alone.
  void expect_as_alone(RequestId id, const std::vector<TokenId>& prompt, const SamplingParams& params) {
    if (!reference_) reference_ = std::make_unique<ReferenceGenerator>(model_, *tokenizer_);
    const GenerationResult alone = reference_->run(prompt, params);
    ASSERT_TRUE(outputs_.results.contains(id)) << "request " << id << " never finished";
    const RequestResult& r = outputs_.results.at(id);
    EXPECT_EQ(r.tokens, alone.tokens) << "request " << id;
    EXPECT_EQ(r.text, alone.text);
    EXPECT_EQ(r.finish, alone.finish);
    EXPECT_EQ(outputs_.streamed[id], r.text);
    EXPECT_EQ(outputs_.tokens[id], r.tokens);
    EXPECT_EQ(outputs_.final_updates[id], 1u);
    EXPECT_EQ(r.metrics.prompt_tokens, prompt.size());
    EXPECT_EQ(r.metrics.output_tokens, r.tokens.size());
  }

  std::unique_ptr<tokenizer::Tokenizer> tokenizer_;
  engine::LoadedModel model_ = load_fixture_model("qwen2-f32");
  ThreadPool pool_{1};
  std::unique_ptr<engine::CpuTransformer> cpu_;
  std::unique_ptr<CheckingBackend> backend_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<ReferenceGenerator> reference_;
  Outputs outputs_;
};

TEST_F(SchedulerTest, BatchedRequestsGenerateWhatEachGeneratesAlone) {
  start({.max_num_seqs = 3, .max_num_batched_tokens = 64});
  std::vector<std::pair<RequestId, std::vector<TokenId>>> requests;
  for (std::uint32_t i = 0; i < 7; ++i) {
    const auto prompt = random_tokens(3 + 6 * i, 100 + i);
    requests.emplace_back(submit(prompt, greedy(5 + 3 * i)), prompt);
  }
  run_until_idle();
  for (std::uint32_t i = 0; i < requests.size(); ++i) expect_as_alone(requests[i].first, requests[i].second, greedy(5 + 3 * i));
  EXPECT_EQ(*std::max_element(backend_->batch_sizes.begin(), backend_->batch_sizes.end()), 3u);
  const SchedulerStats s = scheduler_->stats();
  EXPECT_EQ(s.steps, backend_->batch_sizes.size());
  EXPECT_EQ(s.prompt_tokens, 3u * 7 + 6u * 21);
}

TEST_F(SchedulerTest, SeededSamplingIsUnchangedByBatching) {
  start({.max_num_seqs = 4, .max_num_batched_tokens = 32});
  std::vector<std::pair<RequestId, std::vector<TokenId>>> requests;
  SamplingParams params = greedy(12);
  params.temperature = 1.3;
  params.top_p = 0.95;
  params.repetition_penalty = 1.1;
  for (std::uint32_t i = 0; i < 5; ++i) {
    params.seed = i;
    const auto prompt = random_tokens(10 + i, 200 + i);
    requests.emplace_back(submit(prompt, params), prompt);
  }
  run_until_idle();
  for (std::uint32_t i = 0; i < requests.size(); ++i) {
    params.seed = i;
    expect_as_alone(requests[i].first, requests[i].second, params);
  }
}

TEST_F(SchedulerTest, ChunkedPrefillKeepsTheTokenBudgetAndNeverStallsDecoding) {
  start({.max_num_seqs = 4, .max_num_batched_tokens = 8});
  const auto a = random_tokens(4, 1), b = random_tokens(5, 2), long_prompt = random_tokens(100, 3);
  const RequestId ia = submit(a, greedy(40)), ib = submit(b, greedy(40));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(scheduler_->step());
    ++outputs_.step;
  }
  const RequestId il = submit(long_prompt, greedy(4));
  run_until_idle();
  for (std::size_t t : backend_->batch_tokens) EXPECT_LE(t, 8u);
  // 100 prompt tokens at most 6 a step beside the two decodes: at least 17 steps to the first token.
  EXPECT_GE(outputs_.token_steps[il].front() - 3, 16u);
  for (RequestId id : {ia, ib}) {
    const auto& steps = outputs_.token_steps[id];
    for (std::size_t i = 1; i < steps.size(); ++i) EXPECT_EQ(steps[i], steps[i - 1] + 1) << "request " << id << " stalled";
  }
  expect_as_alone(ia, a, greedy(40));
  expect_as_alone(ib, b, greedy(40));
  expect_as_alone(il, long_prompt, greedy(4));

  // The step profile holds exactly the batches the backend ran, each under its kind and size.
  StepProfile seen;
  for (std::size_t i = 0; i < backend_->batch_sizes.size(); ++i) seen.add(backend_->batch_sizes[i], backend_->batch_tokens[i], 0);
  const StepProfile& profile = scheduler_->stats().step_profile;
  for (std::size_t b = 0; b < StepProfile::kBuckets; ++b) {
    EXPECT_EQ(profile.decode_only()[b].steps, seen.decode_only()[b].steps) << "bucket " << b;
    EXPECT_EQ(profile.decode_only()[b].tokens, seen.decode_only()[b].tokens) << "bucket " << b;
    EXPECT_EQ(profile.with_prompts()[b].steps, seen.with_prompts()[b].steps) << "bucket " << b;
    EXPECT_EQ(profile.with_prompts()[b].tokens, seen.with_prompts()[b].tokens) << "bucket " << b;
  }
  EXPECT_GT(profile.with_prompts()[1].steps, 16u) << "the long prompt's chunks beside two decodes";
  EXPECT_GT(profile.decode_only()[1].steps, 0u);
}

TEST_F(SchedulerTest, PreemptsTheNewestWhenBlocksRunOutAndEveryoneStillFinishes) {
  // 16 blocks of 4 tokens; each request needs 10 blocks by its end, four of them 40.
  start({.max_num_seqs = 4, .max_num_batched_tokens = 32, .kv_watermark = 0}, 4, 16);
  std::vector<std::pair<RequestId, std::vector<TokenId>>> requests;
  for (std::uint32_t i = 0; i < 4; ++i) {
    const auto prompt = random_tokens(10, 300 + i);
    requests.emplace_back(submit(prompt, greedy(30)), prompt);
  }
  run_until_idle();
  EXPECT_GT(scheduler_->stats().preemptions, 0u);
  EXPECT_EQ(scheduler_->stats().peak_used_blocks, 16u) << "a preemption only comes once no block is free";
  EXPECT_EQ(outputs_.results[requests[0].first].metrics.preemptions, 0u) << "the oldest request is never the victim";
  std::size_t preempted = 0;
  for (const auto& [id, prompt] : requests) {
    expect_as_alone(id, prompt, greedy(30));
    preempted += outputs_.results[id].metrics.preemptions;
  }
  EXPECT_EQ(preempted, scheduler_->stats().preemptions);
}

TEST_F(SchedulerTest, PeakBlockUseIsTheMostHeldAtOnce) {
  start({.max_num_seqs = 4, .max_num_batched_tokens = 64});
  EXPECT_EQ(scheduler_->stats().peak_used_blocks, 0u);
  // 10 + 6 tokens fill one block of 16, 20 + 6 need two: three held together while both run.
  submit(random_tokens(10, 500), greedy(6));
  submit(random_tokens(20, 501), greedy(6));
  run_until_idle();
  EXPECT_EQ(scheduler_->stats().peak_used_blocks, 3u) << "and it stays the peak once they are done";
}

TEST_F(SchedulerTest, CancelledRequestsEndAtTheNextStepWithTheirBlocksFreed) {
  start({.max_num_seqs = 2, .max_num_batched_tokens = 64});
  const RequestId a = submit(random_tokens(30, 4), greedy(50));
  const RequestId b = submit(random_tokens(40, 5), greedy(50));
  const RequestId waiting = submit(random_tokens(20, 6), greedy(50));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(scheduler_->step());
  EXPECT_LT(scheduler_->blocks().free_blocks(), scheduler_->blocks().total_blocks());
  for (RequestId id : {a, b, waiting}) scheduler_->cancel(id);
  scheduler_->cancel(12345);  // unknown ids are ignored
  EXPECT_FALSE(scheduler_->step());
  EXPECT_EQ(scheduler_->blocks().free_blocks(), scheduler_->blocks().total_blocks());
  for (RequestId id : {a, b, waiting}) {
    ASSERT_TRUE(outputs_.results.contains(id));
    EXPECT_EQ(outputs_.results[id].finish, FinishReason::kCancelled);
    EXPECT_EQ(outputs_.final_updates[id], 1u);
  }
  EXPECT_EQ(outputs_.results[a].tokens.size(), 3u);
  EXPECT_EQ(outputs_.results[waiting].tokens.size(), 0u);
}

// What the server's admission check reads: counted at submission, admission, preemption and
// cancellation, not at the end of the next step as stats are.
TEST_F(SchedulerTest, QueuedCountsRequestsNotRunningAsTheyComeAndGo) {
  start({.max_num_seqs = 2, .max_num_batched_tokens = 64});
  const RequestId a = submit(random_tokens(30, 8), greedy(5));
  submit(random_tokens(40, 9), greedy(5));
  const RequestId third = submit(random_tokens(20, 10), greedy(5));
  EXPECT_EQ(scheduler_->queued(), 3u);
  EXPECT_EQ(scheduler_->stats().waiting, 0u) << "stats are as of the last step";
  ASSERT_TRUE(scheduler_->step());
  EXPECT_EQ(scheduler_->queued(), 1u) << "two of three admitted";
  scheduler_->cancel(third);
  scheduler_->cancel(a);
  EXPECT_EQ(scheduler_->queued(), 1u) << "a cancel takes effect at the next step";
  ASSERT_TRUE(scheduler_->step());
  EXPECT_EQ(scheduler_->queued(), 0u);
  run_until_idle();
  EXPECT_EQ(outputs_.results[third].finish, FinishReason::kCancelled);
}

TEST_F(SchedulerTest, ACallbackReturningFalseCancelsRightAway) {
  start({});
  const auto prompt = random_tokens(20, 7);
  const RequestId id = submit(prompt, greedy(50), 4);
  run_until_idle();
  const RequestResult& r = outputs_.results.at(id);
  EXPECT_EQ(r.finish, FinishReason::kCancelled);
  EXPECT_EQ(r.tokens.size(), 4u);
  EXPECT_EQ(scheduler_->stats().steps, 4u);
}

TEST_F(SchedulerTest, StopTokensStopStringsAndLimitsEndRequestsAsAlone) {
  start({.max_num_seqs = 4, .max_num_batched_tokens = 64});
  const auto prompt = random_tokens(12, 8);
  if (!reference_) reference_ = std::make_unique<ReferenceGenerator>(model_, *tokenizer_);
  const GenerationResult full = reference_->run(prompt, greedy(20));
  SamplingParams stop_id = greedy(20);
  stop_id.stop_token_ids = {full.tokens[5]};
  SamplingParams stop_string = greedy(20);
  ASSERT_GE(full.text.size(), 6u);
  stop_string.stop = {full.text.substr(full.text.size() / 2, 2)};
  const RequestId a = submit(prompt, stop_id), b = submit(prompt, stop_string), c = submit(prompt, greedy(7));
  run_until_idle();
  expect_as_alone(a, prompt, stop_id);
  expect_as_alone(b, prompt, stop_string);
  expect_as_alone(c, prompt, greedy(7));
  EXPECT_EQ(outputs_.results[a].finish, FinishReason::kStop);
  EXPECT_EQ(outputs_.results[b].finish, FinishReason::kStop);
  EXPECT_EQ(outputs_.results[c].finish, FinishReason::kLength);
}

TEST_F(SchedulerTest, ASharedPrefixIsComputedOnceAndReused) {
  start({.max_num_seqs = 4, .max_num_batched_tokens = 64});
  const auto system = random_tokens(50, 9);  // three whole blocks of 16 and two tokens
  const auto first = concat(system, random_tokens(6, 10)), second = concat(system, random_tokens(9, 11));
  const RequestId a = submit(first, greedy(10));
  ASSERT_TRUE(scheduler_->step());  // a's prompt is in the cache now
  const RequestId b = submit(second, greedy(10));
  ASSERT_TRUE(scheduler_->step());
  // b holds a's three full blocks while both run.
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(scheduler_->blocks().block_table(b)[i], scheduler_->blocks().block_table(a)[i]);
    EXPECT_EQ(scheduler_->blocks().ref_count(scheduler_->blocks().block_table(a)[i]), 2u);
  }
  run_until_idle();
  expect_as_alone(a, first, greedy(10));
  expect_as_alone(b, second, greedy(10));
  EXPECT_EQ(outputs_.results[a].metrics.cached_prompt_tokens, 0u);
  EXPECT_EQ(outputs_.results[b].metrics.cached_prompt_tokens, 48u);

  // The next turn of a's conversation: its prompt, its answer and more. The answer's blocks were
  // cached too, all but the last token, which was sampled but never run.
  const auto turn = concat(concat(first, outputs_.results[a].tokens), random_tokens(5, 12));
  const RequestId c = submit(turn, greedy(10));
  run_until_idle();
  expect_as_alone(c, turn, greedy(10));
  EXPECT_EQ(outputs_.results[c].metrics.cached_prompt_tokens, (first.size() + 10 - 1) / 16 * 16);
  EXPECT_EQ(scheduler_->stats().cached_prompt_tokens, 48u + outputs_.results[c].metrics.cached_prompt_tokens);
}

TEST_F(SchedulerTest, WithoutPrefixCachingNothingIsShared) {
  start({.max_num_seqs = 4, .max_num_batched_tokens = 64, .prefix_caching = false});
  const auto system = random_tokens(50, 9);
  const auto first = concat(system, random_tokens(6, 10)), second = concat(system, random_tokens(9, 11));
  const RequestId a = submit(first, greedy(10));
  run_until_idle();
  const RequestId b = submit(second, greedy(10));
  run_until_idle();
  expect_as_alone(a, first, greedy(10));
  expect_as_alone(b, second, greedy(10));
  EXPECT_EQ(outputs_.results[b].metrics.cached_prompt_tokens, 0u);
  EXPECT_EQ(scheduler_->blocks().cached_blocks(), 0u);
}

TEST_F(SchedulerTest, QwenV1PromptsOfDifferentNtkBasesShareNoBlocks) {
  // With a training length of 24, prompts longer than 24 tokens rotate under a larger NTK base
  // (alpha 3 up to 48 tokens), so their keys differ from a short prompt's for the same tokens.
  model_ = load_fixture_model("qwen-v1-f32");
  model_.config.seq_length = 24;
  start({.max_num_seqs = 4, .max_num_batched_tokens = 64});
  const auto shared = random_tokens(16, 13);
  const auto short_prompt = concat(shared, random_tokens(4, 14));
  const auto long_prompt = concat(shared, random_tokens(20, 15));
  const auto other_long_prompt = concat(shared, random_tokens(24, 16));
  const RequestId a = submit(short_prompt, greedy(6));
  run_until_idle();
  const RequestId b = submit(long_prompt, greedy(6));
  run_until_idle();
  const RequestId c = submit(other_long_prompt, greedy(6));
  run_until_idle();
  EXPECT_EQ(outputs_.results[b].metrics.cached_prompt_tokens, 0u);
  EXPECT_EQ(outputs_.results[c].metrics.cached_prompt_tokens, 16u);
  expect_as_alone(a, short_prompt, greedy(6));
  expect_as_alone(b, long_prompt, greedy(6));
  expect_as_alone(c, other_long_prompt, greedy(6));
}

TEST_F(SchedulerTest, RejectsBadRequestsAndConfigsAtOnce) {
  start({});
  EXPECT_THROW(scheduler_->submit(Request{{}, greedy(4), {}}), Error);
  EXPECT_THROW(scheduler_->submit(Request{{1, 512}, greedy(4), {}}), Error);
  EXPECT_THROW(scheduler_->submit(Request{{1, -1}, greedy(4), {}}), Error);
  EXPECT_THROW(scheduler_->submit(Request{std::vector<TokenId>(16 * 64, 1), greedy(4), {}}), Error);
  SamplingParams bad = greedy(4);
  bad.top_p = 2;
  EXPECT_THROW(scheduler_->submit(Request{{1, 2}, bad, {}}), Error);
  bad = greedy(4);
  bad.stop = {""};
  EXPECT_THROW(scheduler_->submit(Request{{1, 2}, bad, {}}), Error);
  EXPECT_EQ(scheduler_->stats().waiting, 0u);
  EXPECT_FALSE(scheduler_->step());
  EXPECT_THROW(Scheduler(*backend_, *tokenizer_, {}, {.max_num_seqs = 0}), Error);
  EXPECT_THROW(Scheduler(*backend_, *tokenizer_, {}, {.max_num_seqs = 8, .max_num_batched_tokens = 4}), Error);
  EXPECT_THROW(Scheduler(*backend_, *tokenizer_, {}, {.kv_watermark = 1}), Error);
}

// Hundreds of requests with random prompts (many sharing prefixes), limits, stops and cancels through
// a cache small enough to force preemptions: each finishes exactly once and every block comes back.
TEST_F(SchedulerTest, RandomTrafficLeaksNoBlocks) {
  start({.max_num_seqs = 6, .max_num_batched_tokens = 24}, 4, 24);
  std::mt19937 random(11);
  const std::vector<std::vector<TokenId>> prefixes = {random_tokens(9, 20), random_tokens(17, 21), random_tokens(2, 22)};
  std::vector<RequestId> ids;
  for (int round = 0; round < 150; ++round) {
    for (unsigned n = random() % 4; n > 0; --n) {
      const auto& prefix = prefixes[random() % prefixes.size()];
      const std::size_t tail = random() % 12;
      const auto prompt = concat(prefix, random_tokens(tail, static_cast<std::uint32_t>(random())));
      const std::size_t max_new = 1 + random() % 20;
      SamplingParams params = greedy(max_new, random() % 2 == 0);
      if (random() % 4 == 0) params.stop_token_ids = {static_cast<TokenId>(random() % 512)};
      const std::size_t cancel_after = random() % 8 == 0 ? random() % 5 : SIZE_MAX;
      ids.push_back(submit(prompt, params, cancel_after));
    }
    if (!ids.empty() && random() % 5 == 0) scheduler_->cancel(ids[random() % ids.size()]);
    for (unsigned n = random() % 4; n > 0; --n) {
      scheduler_->step();
      ++outputs_.step;
      ASSERT_EQ(scheduler_->queued(), scheduler_->stats().waiting) << "the live count, between steps";
    }
  }
  run_until_idle();
  EXPECT_EQ(outputs_.results.size(), ids.size());
  for (RequestId id : ids) EXPECT_EQ(outputs_.final_updates[id], 1u) << "request " << id;
  const SchedulerStats s = scheduler_->stats();
  EXPECT_GT(s.preemptions, 0u);
  EXPECT_GT(s.cached_prompt_tokens, 0u);
  EXPECT_EQ(scheduler_->blocks().open_sequences(), 0u);
  std::cout << ids.size() << " requests, " << s.steps << " steps, " << s.preemptions << " preemptions, "
            << s.cached_prompt_tokens << " of " << s.prompt_tokens << " prompt tokens cached\n";
}

}  // namespace
}  // namespace qwenrt::runtime
