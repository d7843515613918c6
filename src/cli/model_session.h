// What `run` and `chat` share: the model folder opened for generation on the chosen device (tokenizer,
// chat template, weights, KV cache) and the sampling options both commands take.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "cli/device_option.h"
#include "engine/backend_factory.h"
#include "runtime/generator.h"
#include "runtime/sampling_params.h"
#include "tokenizer/chat_template.h"

namespace qwenrt::cli {

// Command-line overrides of the model's generation_config.json defaults.
struct GenerationFlags {
  std::string model_dir;
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<std::size_t> top_k;
  std::optional<double> repetition_penalty;
  std::optional<std::size_t> max_new_tokens;
  std::optional<std::uint64_t> seed;
  std::size_t max_context = 8192;
  DeviceFlags device;

  void add_to(CLI::App& command);
};

class ModelSession {
 public:
  // Throws Error naming the file at fault.
  explicit ModelSession(const GenerationFlags& flags);

  // The model's defaults with the flags applied.
  runtime::SamplingParams sampling() const;
  std::vector<tokenizer::TokenId> chat_prompt(std::span<const tokenizer::ChatMessage> messages) const;

  const tokenizer::Tokenizer& tokenizer() const { return tokenizer_; }
  // Where the model runs and how its memory is split (engine::OpenedBackend::memory_report).
  const std::string& memory_report() const { return backend_.memory_report; }
  runtime::Generator& generator() { return generator_; }

 private:
  GenerationFlags flags_;
  tokenizer::Tokenizer tokenizer_;
  tokenizer::ChatTemplate template_;
  engine::LoadedModel model_;
  engine::OpenedBackend backend_;
  runtime::Generator generator_;
};

// "N tokens in S s (T tokens/s), prompt P tokens, first token after F ms" on stderr.
void print_generation_stats(const runtime::GenerationResult& result);

}  // namespace qwenrt::cli
