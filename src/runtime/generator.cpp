#include "runtime/generator.h"

#include <algorithm>
#include <chrono>
#include <numeric>

#include "core/error.h"
#include "runtime/sampler.h"

namespace qwenrt::runtime {
namespace {

using Clock = std::chrono::steady_clock;

// One forward step of step and the token sampled from its logits: on the backend's device where it
// can, so only the id crosses back.
tokenizer::TokenId forward_and_sample(engine::Backend& backend, const engine::SequenceStep& step, Sampler& sampler,
                                      std::vector<float>& logits) {
  if (!backend.samples_on_device()) {
    backend.forward(std::span(&step, 1), logits);
    return sampler.sample(logits).id;
  }
  const engine::TokenSampling row = sampler.device_row();
  std::vector<tokenizer::TokenId> choice;
  backend.forward_sampled(std::span(&step, 1), std::span(&row, 1), choice, logits);
  return sampler.from_device(choice.front(), logits).id;
}

double seconds_between(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

}  // namespace

Generator::Generator(engine::Backend& backend, const tokenizer::Tokenizer& tokenizer,
                     std::vector<tokenizer::TokenId> eos_token_ids)
    : backend_(backend), tokenizer_(tokenizer), eos_token_ids_(std::move(eos_token_ids)) {}

std::size_t Generator::context_length() const {
  return std::min(backend_.kv_block_count() * backend_.kv_block_size(), backend_.config().max_position_embeddings);
}

GenerationResult Generator::generate(std::span<const tokenizer::TokenId> prompt, const SamplingParams& params,
                                     const TextCallback& on_text, const std::atomic<bool>* cancel) {
  params.validate();
  // The constraint lives in the serving engine's requests (RequestState); run and chat never ask for it.
  if (params.json_object) fail("json_object: only the serving engine (LlmEngine) constrains output to JSON");
  const std::size_t context = context_length();
  if (prompt.empty()) fail("the prompt has no tokens");
  if (prompt.size() >= context) {
    fail("the prompt has ", prompt.size(), " tokens, but the context holds ", context,
         " (prompt plus generated tokens): shorten it or raise the context length");
  }
  const std::size_t max_new = std::min(params.max_new_tokens.value_or(context), context - prompt.size());
  std::vector<std::int32_t> blocks((prompt.size() + max_new + backend_.kv_block_size() - 1) / backend_.kv_block_size());
  std::iota(blocks.begin(), blocks.end(), 0);

  GenerationResult result;
  result.prompt_tokens = prompt.size();
  Sampler sampler(params, prompt);
  SequenceOutput output(tokenizer_, params, eos_token_ids_, max_new);
  const auto emit = [&](std::string_view text) { return text.empty() || on_text(text); };

  const auto start = Clock::now();
  std::vector<float> logits;
  const engine::SequenceStep step{prompt, 0, blocks, false, prompt.size()};
  tokenizer::TokenId next = forward_and_sample(backend_, step, sampler, logits);
  auto first_token_at = Clock::now();
  for (std::size_t i = 0;; ++i) {
    const TokenOutcome outcome = output.accept(next);
    if (i == 0) first_token_at = Clock::now();
    if (!outcome.stop_token && (!emit(outcome.text) || (cancel != nullptr && cancel->load()))) {
      result.finish = FinishReason::kCancelled;
      break;
    }
    if (outcome.finish) {
      result.finish = *outcome.finish;
      break;
    }
    const engine::SequenceStep decode{std::span(&output.tokens().back(), 1), prompt.size() + i, blocks, false,
                                      prompt.size()};
    next = forward_and_sample(backend_, decode, sampler, logits);
  }
  emit(output.close(result.finish));
  result.tokens = output.tokens();
  result.text = output.text();
  result.prefill_seconds = seconds_between(start, first_token_at);
  result.decode_seconds = seconds_between(first_token_at, Clock::now());
  return result;
}

}  // namespace qwenrt::runtime
