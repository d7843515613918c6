// Per-step cost of the JSON-object constraint (runtime/json_object_constraint.h) on the real Qwen
// vocabulary, in the states a JSON answer spends its tokens in, against its peer in the same run: one
// plain sampling step over the same logits. Run by hand: build/bench/qwenrt_json_constraint_bench
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <random>

#include "runtime/json_object_constraint.h"
#include "runtime/sampler.h"
#include "tokenizer/tokenizer.h"

namespace {

using namespace qwenrt;

// Throws Error naming the file when scripts/make_testdata.sh has not run.
const tokenizer::Tokenizer& qwen_tokenizer() {
  static const auto tokenizer = tokenizer::Tokenizer::from_directory(std::filesystem::path(QWENRT_TESTDATA_DIR) / "tokenizer");
  return tokenizer;
}

const std::shared_ptr<const runtime::JsonVocabulary>& vocabulary() {
  static const auto v = std::make_shared<const runtime::JsonVocabulary>(qwen_tokenizer());
  return v;
}

// Qwen2.5-7B's padded vocabulary, with logits like a model's.
std::vector<float> random_logits() {
  std::vector<float> logits(152064);
  std::mt19937 random(1);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  for (float& l : logits) l = normal(random);
  return logits;
}

void mask_after(benchmark::State& state, const char* prefix) {
  runtime::JsonObjectConstraint constraint(vocabulary(), {*qwen_tokenizer().added_token_id("<|im_end|>")}, 1 << 20);
  for (const tokenizer::TokenId id : qwen_tokenizer().encode(prefix)) constraint.accept(id);
  const std::vector<float> logits = random_logits();
  for (auto _ : state) benchmark::DoNotOptimize(constraint.mask(logits).data());
}

void sample_step(benchmark::State& state) {
  runtime::SamplingParams params;
  params.seed = 1;
  runtime::Sampler sampler(params, {});
  const std::vector<float> logits = random_logits();
  for (auto _ : state) benchmark::DoNotOptimize(sampler.sample(logits).id);
}

BENCHMARK(sample_step)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(mask_after, object_start, "")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(mask_after, expecting_key, "{\"name\": \"qwen\", ")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(mask_after, after_colon, "{\"name\":")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(mask_after, in_string, "{\"name\": \"qw")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(mask_after, in_number, "{\"n\": 12")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(mask_after, nested_array, "{\"a\": [[1, 2], [")->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
