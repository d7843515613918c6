#include "runtime/generator.h"

#include <algorithm>
#include <chrono>
#include <numeric>

#include "core/error.h"
#include "runtime/sampler.h"
#include "runtime/stop_strings.h"
#include "tokenizer/streaming_detokenizer.h"

namespace qwenrt::runtime {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

}  // namespace

std::string_view finish_reason_name(FinishReason reason) {
  switch (reason) {
    case FinishReason::kStop: return "stop";
    case FinishReason::kLength: return "length";
    case FinishReason::kCancelled: return "cancelled";
  }
  return "unknown";
}

Generator::Generator(engine::Backend& backend, const tokenizer::Tokenizer& tokenizer,
                     std::vector<tokenizer::TokenId> eos_token_ids)
    : backend_(backend), tokenizer_(tokenizer), eos_token_ids_(std::move(eos_token_ids)) {}

std::size_t Generator::context_length() const {
  return std::min(backend_.kv_block_count() * backend_.kv_block_size(), backend_.config().max_position_embeddings);
}

GenerationResult Generator::generate(std::span<const tokenizer::TokenId> prompt, const SamplingParams& params,
                                     const TextCallback& on_text, const std::atomic<bool>* cancel) {
  params.validate();
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
  tokenizer::StreamingDetokenizer detokenizer(tokenizer_);
  StopStringMatcher stops(params.stop);
  const auto emit = [&](std::string_view text) {
    if (text.empty()) return true;
    result.text += text;
    return on_text(text);
  };
  const auto is_stop_token = [&](tokenizer::TokenId id) {
    const auto in = [id](const std::vector<tokenizer::TokenId>& ids) { return std::find(ids.begin(), ids.end(), id) != ids.end(); };
    return (!params.ignore_eos && in(eos_token_ids_)) || in(params.stop_token_ids);
  };

  const auto start = Clock::now();
  std::vector<float> logits;
  engine::SequenceStep step{prompt, 0, blocks, false, prompt.size()};
  backend_.forward(std::span(&step, 1), logits);
  auto first_token_at = Clock::now();
  bool finished = false;
  for (std::size_t i = 0; !finished; ++i) {
    const tokenizer::TokenId id = sampler.sample(logits).id;
    if (i == 0) first_token_at = Clock::now();
    if (is_stop_token(id)) {
      result.finish = FinishReason::kStop;
      break;
    }
    result.tokens.push_back(id);
    const StopCheck check = stops.feed(detokenizer.push(id));
    if (!emit(check.text) || (cancel != nullptr && cancel->load())) {
      result.finish = FinishReason::kCancelled;
      finished = true;
    } else if (check.stop) {
      result.finish = FinishReason::kStop;
      finished = true;
    } else if (result.tokens.size() == max_new) {
      result.finish = FinishReason::kLength;
      finished = true;
    } else {
      engine::SequenceStep decode{std::span(&result.tokens.back(), 1), prompt.size() + i, blocks, false, prompt.size()};
      backend_.forward(std::span(&decode, 1), logits);
    }
  }
  if (result.finish != FinishReason::kCancelled && !stops.stopped()) {
    const StopCheck tail = stops.feed(detokenizer.finish());
    emit(tail.text);
    if (tail.stop) {
      result.finish = FinishReason::kStop;
    } else {
      emit(stops.finish());
    }
  }
  result.prefill_seconds = seconds_between(start, first_token_at);
  result.decode_seconds = seconds_between(first_token_at, Clock::now());
  return result;
}

}  // namespace qwenrt::runtime
