// Host cost of one engine step (runtime::Scheduler::step) with every sequence decoding, on a backend
// that answers at once, so that nothing but the scheduler's own work is timed: admission, the batch,
// the KV blocks and prefix-cache commits, sampling bookkeeping, streaming text and callbacks. On a GPU
// this is time the device waits between steps. Its peer in the same run: planning the same batch
// for the CUDA kernels (engine/cuda_step_plan.h), the other host work of a step. Needs no GPU; reads
// the Qwen vocabulary from .testdata (scripts/make_testdata.sh). Run by hand:
// build/bench/qwenrt_scheduler_step_bench
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <vector>

#include "engine/backend.h"
#include "engine/cuda_step_plan.h"
#include "qwen25_7b_config.h"
#include "runtime/scheduler.h"
#include "tokenizer/tokenizer.h"

namespace {

using namespace qwenrt;

const tokenizer::Tokenizer& qwen_tokenizer() {
  static const auto tokenizer =
      tokenizer::Tokenizer::from_directory(std::filesystem::path(QWENRT_TESTDATA_DIR) / "tokenizer");
  return tokenizer;
}

// Samples on its "device" at once: every row's token is " the", and the batch is planned for the CUDA
// kernels when plan is set (the whole host side of a CUDA step but the copies and the kernels).
class InstantBackend final : public engine::Backend {
 public:
  explicit InstantBackend(bool plan) : plan_(plan), planner_(config_, {16, kBlocks, 4, 128}) {}
  void forward(std::span<const engine::SequenceStep>, std::vector<float>&) override {
    fail("InstantBackend samples on its device");
  }
  bool samples_on_device() const override { return true; }
  void forward_sampled(std::span<const engine::SequenceStep> batch, std::span<const engine::TokenSampling> rows,
                       std::vector<engine::TokenId>& next, std::vector<float>& host_logits) override {
    if (plan_) planner_.plan(batch, plan_arrays_);
    next.assign(rows.size(), 279);
    host_logits.clear();
  }
  const model::ModelConfig& config() const override { return config_; }
  std::size_t kv_block_size() const override { return 16; }
  std::size_t kv_block_count() const override { return kBlocks; }

 private:
  static constexpr std::size_t kBlocks = 1 << 18;
  const model::ModelConfig config_ = bench_support::qwen25_7b_config();
  bool plan_;
  engine::CudaStepPlanner planner_;
  engine::CudaStepPlan plan_arrays_;
};

// range(0) requests of 200-token prompts, all decoding once the prompts are in; range(1): whether
// the backend plans each batch for the CUDA kernels too.
void decode_step(benchmark::State& state) {
  const auto sequences = static_cast<std::size_t>(state.range(0));
  InstantBackend backend(state.range(1) != 0);
  runtime::Scheduler scheduler(backend, qwen_tokenizer(), {},
                               {.max_num_seqs = sequences, .max_num_batched_tokens = 256 * sequences});
  for (std::size_t i = 0; i < sequences; ++i) {
    runtime::Request request;
    request.prompt.assign(200, static_cast<tokenizer::TokenId>(1000 + i));
    request.params.temperature = 0;
    request.params.max_new_tokens = 1 << 20;
    request.params.ignore_eos = true;
    request.on_update = [](const runtime::RequestUpdate&) { return true; };
    scheduler.submit(std::move(request));
  }
  while (scheduler.stats().last_step_tokens != sequences) scheduler.step();
  for (auto _ : state) scheduler.step();
}

BENCHMARK(decode_step)
    ->ArgsProduct({{1, 64, 1024}, {0, 1}})
    ->ArgNames({"sequences", "plan"})
    ->Iterations(2000)  // the sequences keep decoding: 2,200 positions each, within the context and the cache
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
