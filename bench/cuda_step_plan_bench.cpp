// Host cost of planning one CUDA forward step (engine/cuda_step_plan.h) for a decode batch of
// Qwen2.5-7B, against its peer in the same run: copying the plan's own bytes once, the least any
// planner must do. The plan is built while the GPU waits for the step, so at 1,024 sequences (a
// 25 ms step) every 100 us of it is 0.4% of the throughput. Needs no GPU. Run by hand:
// build/bench/qwenrt_cuda_step_plan_bench
#include <benchmark/benchmark.h>

#include <cstring>
#include <numeric>
#include <vector>

#include "engine/cuda_step_plan.h"
#include "qwen25_7b_config.h"

namespace {

using namespace qwenrt;

// batch sequences decoding their token at position 600, each with its own 64 blocks of 16 slots.
struct DecodeBatch {
  explicit DecodeBatch(std::size_t batch) : tables(batch, std::vector<std::int32_t>(64)), tokens(batch, 9707) {
    for (std::size_t s = 0; s < batch; ++s) {
      std::iota(tables[s].begin(), tables[s].end(), static_cast<std::int32_t>(s * 64));
      steps.push_back({std::span(&tokens[s], 1), 600, tables[s]});
    }
  }
  std::vector<std::vector<std::int32_t>> tables;
  std::vector<engine::TokenId> tokens;
  std::vector<engine::SequenceStep> steps;
};

constexpr cpu::PagedKvLayout kCache{16, 1 << 17, 4, 128};

void plan_decode_step(benchmark::State& state) {
  const model::ModelConfig config = bench_support::qwen25_7b_config();
  engine::CudaStepPlanner planner(config, kCache);
  const DecodeBatch batch(static_cast<std::size_t>(state.range(0)));
  engine::CudaStepPlan plan;
  for (auto _ : state) {
    planner.plan(batch.steps, plan);
    benchmark::DoNotOptimize(plan.ints.data());
  }
}

void copy_plan_bytes(benchmark::State& state) {
  const model::ModelConfig config = bench_support::qwen25_7b_config();
  engine::CudaStepPlanner planner(config, kCache);
  const DecodeBatch batch(static_cast<std::size_t>(state.range(0)));
  engine::CudaStepPlan plan;
  planner.plan(batch.steps, plan);
  std::vector<std::int32_t> ints(plan.ints.size());
  std::vector<float> floats(plan.floats.size());
  for (auto _ : state) {
    std::memcpy(ints.data(), plan.ints.data(), ints.size() * sizeof(std::int32_t));
    std::memcpy(floats.data(), plan.floats.data(), floats.size() * sizeof(float));
    benchmark::DoNotOptimize(ints.data());
    benchmark::DoNotOptimize(floats.data());
  }
}

BENCHMARK(plan_decode_step)->Arg(1)->Arg(64)->Arg(1024)->Unit(benchmark::kMicrosecond);
BENCHMARK(copy_plan_bytes)->Arg(1)->Arg(64)->Arg(1024)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
