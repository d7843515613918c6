// What the serving runtime's tests share: the qwen2-f32 fixture model on the CPU backend with the real
// Qwen vocabulary, and the single-sequence Generator as the reference that batching must reproduce.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <random>
#include <vector>

#include "core/thread_pool.h"
#include "engine/cpu_transformer.h"
#include "engine/loaded_model.h"
#include "runtime/generator.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::runtime::serving_test {

using tokenizer::TokenId;

inline std::unique_ptr<tokenizer::Tokenizer> load_test_tokenizer() {
  const auto file = std::filesystem::path(QWENRT_TESTDATA_DIR) / "tokenizer/tokenizer.json";
  if (!std::filesystem::exists(file)) return nullptr;
  return std::make_unique<tokenizer::Tokenizer>(tokenizer::Tokenizer::from_tokenizer_json(file));
}

inline engine::LoadedModel load_fixture_model(const char* name) {
  return engine::LoadedModel::load(std::filesystem::path(QWENRT_SOURCE_DIR) / "tests/data/models" / name);
}

// n ids below vocab from seed, the same on every platform (std::mt19937 is specified exactly).
inline std::vector<TokenId> random_tokens(std::size_t n, std::uint32_t seed, std::size_t vocab = 512) {
  std::mt19937 random(seed);
  std::vector<TokenId> ids(n);
  for (TokenId& id : ids) id = static_cast<TokenId>(random() % vocab);
  return ids;
}

inline std::vector<TokenId> concat(std::vector<TokenId> a, const std::vector<TokenId>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

inline SamplingParams greedy(std::size_t max_new, bool ignore_eos = true) {
  SamplingParams p;
  p.temperature = 0;
  p.max_new_tokens = max_new;
  p.ignore_eos = ignore_eos;
  return p;
}

// Runs each prompt alone, start to finish, on a backend of its own with room for it.
class ReferenceGenerator {
 public:
  ReferenceGenerator(const engine::LoadedModel& model, const tokenizer::Tokenizer& tokenizer,
                     std::vector<TokenId> eos_token_ids = {})
      : backend_(model, pool_, engine::CpuCacheOptions{16, 64}),
        generator_(backend_, tokenizer, std::move(eos_token_ids)) {}

  GenerationResult run(const std::vector<TokenId>& prompt, const SamplingParams& params) {
    return generator_.generate(prompt, params, [](std::string_view) { return true; });
  }

 private:
  ThreadPool pool_{1};
  engine::CpuTransformer backend_;
  Generator generator_;
};

}  // namespace qwenrt::runtime::serving_test
