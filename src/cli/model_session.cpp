#include "cli/model_session.h"

#include <algorithm>
#include <iostream>

#include "runtime/end_of_text.h"

namespace qwenrt::cli {
namespace {

constexpr std::size_t kReservedPromptTokens = 2048;

// One sequence at a time: the KV cache holds --max-context tokens. Activations are set aside for
// prompts of up to kReservedPromptTokens; a longer prompt grows them when it comes.
engine::BackendOptions session_backend(const GenerationFlags& flags, const engine::LoadedModel& model) {
  engine::BackendOptions options = flags.device.backend_options();
  const std::size_t tokens = std::min(flags.max_context, model.config.max_position_embeddings);
  options.cpu_kv_tokens = tokens;
  options.gpu_kv_blocks = (tokens + options.block_size - 1) / options.block_size;
  options.max_step_tokens = std::min(tokens, kReservedPromptTokens);
  return options;
}

}  // namespace

void GenerationFlags::add_to(CLI::App& command) {
  command.add_option("-m,--model", model_dir, "Model folder (Hugging Face layout)")->required();
  command.add_option("--temperature", temperature, "Sampling temperature, 0 for greedy (default: the model's)");
  command.add_option("--top-p", top_p, "Nucleus sampling mass (default: the model's)");
  command.add_option("--top-k", top_k, "Keep the k most likely tokens, 0 for all (default: the model's)");
  command.add_option("--repetition-penalty", repetition_penalty, "Repetition penalty (default: the model's)");
  command.add_option("--max-new-tokens", max_new_tokens, "Most tokens to generate (default: the model's)");
  command.add_option("--seed", seed, "Random seed, for reproducible sampling");
  command.add_option("--max-context", max_context, "Most tokens of prompt plus answer (KV cache size)")
      ->capture_default_str();
  device.add_to(command);
}

ModelSession::ModelSession(const GenerationFlags& flags)
    : flags_(flags),
      tokenizer_(tokenizer::Tokenizer::from_directory(flags.model_dir)),
      template_(tokenizer::ChatTemplate::for_model(flags.model_dir)),
      model_(engine::LoadedModel::load(flags.model_dir)),
      backend_(engine::open_backend(model_, session_backend(flags, model_))),
      generator_(*backend_.backend, tokenizer_, runtime::end_of_text_ids(model_.config, model_.generation, tokenizer_)) {
  if (!template_.note().empty()) std::cerr << "qwenrt: note: " << template_.note() << "\n";
}

runtime::SamplingParams ModelSession::sampling() const {
  runtime::SamplingParams p = runtime::SamplingParams::from_generation_config(model_.generation);
  if (flags_.temperature) p.temperature = *flags_.temperature;
  if (flags_.top_p) p.top_p = *flags_.top_p;
  if (flags_.top_k) p.top_k = *flags_.top_k;
  if (flags_.repetition_penalty) p.repetition_penalty = *flags_.repetition_penalty;
  if (flags_.max_new_tokens) p.max_new_tokens = *flags_.max_new_tokens;
  if (flags_.seed) p.seed = *flags_.seed;
  p.validate();
  return p;
}

std::vector<tokenizer::TokenId> ModelSession::chat_prompt(std::span<const tokenizer::ChatMessage> messages) const {
  return template_.encode(tokenizer_, template_.render(messages, tokenizer::ChatOptions{}));
}

void print_generation_stats(const runtime::GenerationResult& r) {
  const double total = r.prefill_seconds + r.decode_seconds;
  const double rate = r.decode_seconds > 0 && r.tokens.size() > 1
                          ? static_cast<double>(r.tokens.size() - 1) / r.decode_seconds
                          : 0.0;
  std::cerr << "[" << r.tokens.size() << " tokens in " << total << " s, " << rate << " tokens/s; prompt "
            << r.prompt_tokens << " tokens, first token after " << r.prefill_seconds * 1e3 << " ms; finish "
            << runtime::finish_reason_name(r.finish) << "]\n";
}

}  // namespace qwenrt::cli
