#include "runtime/request_state.h"

#include "core/error.h"

namespace qwenrt::runtime {
namespace {

double seconds_between(RequestState::Clock::time_point a, RequestState::Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

RequestState::RequestState(RequestId id, Request request, const tokenizer::Tokenizer& tokenizer,
                           std::span<const tokenizer::TokenId> eos_token_ids, std::size_t max_new_tokens,
                           std::uint64_t kv_salt, std::size_t ntk_context_length,
                           std::shared_ptr<const JsonVocabulary> json_vocabulary)
    : id_(id),
      request_(std::move(request)),
      tokens_(std::move(request_.prompt)),
      kv_salt_(kv_salt),
      ntk_context_length_(ntk_context_length),
      sampler_(request_.params, tokens_),
      output_(tokenizer, request_.params, eos_token_ids, max_new_tokens) {
  result_.id = id;
  result_.metrics.prompt_tokens = tokens_.size();
  if (request_.params.json_object) {
    if (!json_vocabulary) fail("response_format json_object: no vocabulary was given for the constraint");
    // Every id that ends the answer may close it, ignore_eos or not: a JSON answer has nothing to add.
    std::vector<tokenizer::TokenId> end_ids(eos_token_ids.begin(), eos_token_ids.end());
    end_ids.insert(end_ids.end(), request_.params.stop_token_ids.begin(), request_.params.stop_token_ids.end());
    json_.emplace(std::move(json_vocabulary), std::move(end_ids), max_new_tokens);
  }
}

void RequestState::admit(std::size_t cached_tokens) {
  computed_ = cached_tokens;
  if (!first_scheduled_) {
    first_scheduled_ = Clock::now();
    result_.metrics.cached_prompt_tokens = cached_tokens;
  }
}

void RequestState::step_done() {
  computed_ += step_tokens_;
  step_tokens_ = 0;
}

void RequestState::preempt() {
  computed_ = 0;
  step_tokens_ = 0;
  ++result_.metrics.preemptions;
}

bool RequestState::sample_next(std::span<const float> logits) {
  if (!json_) return take(sampler_.sample(logits));
  SampledToken sampled = sampler_.sample(json_->mask(logits));
  json_->accept(sampled.id);
  return take(std::move(sampled));
}

engine::TokenSampling RequestState::device_sampling() {
  // The mask is the host's: the device sends this row's logits back instead of an id.
  if (json_) return engine::TokenSampling{.host_logits = true};
  return sampler_.device_row();
}

bool RequestState::take_device_choice(tokenizer::TokenId choice, std::span<const float> host_logits) {
  if (json_ && choice == engine::kSampledNoToken) return sample_next(host_logits);
  return take(sampler_.from_device(choice, host_logits));
}

bool RequestState::take(SampledToken sampled) {
  const TokenOutcome outcome = output_.accept(sampled.id);
  if (outcome.stop_token) {
    finish(FinishReason::kStop);
    return true;
  }
  last_token_ = Clock::now();
  if (!first_token_) first_token_ = last_token_;
  tokens_.push_back(sampled.id);
  RequestUpdate update;
  update.id = id_;
  update.token = sampled.id;
  if (sampled.logprobs) {
    result_.logprobs.push_back(std::move(*sampled.logprobs));
    update.logprobs = &result_.logprobs.back();
  }
  update.text = outcome.text;
  if (outcome.finish) {
    // The last token's own update closes the stream.
    close(update, *outcome.finish, outcome.text, {});
    return true;
  }
  if (!send(update)) {
    finish(FinishReason::kCancelled);
    return true;
  }
  return false;
}

void RequestState::finish(FinishReason reason, std::string error) {
  RequestUpdate update;
  update.id = id_;
  close(update, reason, {}, std::move(error));
}

void RequestState::close(RequestUpdate& update, FinishReason reason, std::string_view text, std::string error) {
  const std::string final_text = std::string(text) + output_.close(reason);
  const auto now = Clock::now();
  RequestMetrics& m = result_.metrics;
  result_.finish = reason;
  result_.error = std::move(error);
  result_.tokens = output_.tokens();
  result_.text = output_.text();
  m.output_tokens = result_.tokens.size();
  if (first_token_) {
    m.time_to_first_token = seconds_between(submitted_, *first_token_);
    if (m.output_tokens > 1) {
      m.time_per_output_token = seconds_between(*first_token_, *last_token_) / static_cast<double>(m.output_tokens - 1);
    }
  }
  m.queue_seconds = seconds_between(submitted_, first_scheduled_.value_or(now));
  m.total_seconds = seconds_between(submitted_, now);
  update.text = final_text;
  update.result = &result_;
  send(update);
}

bool RequestState::send(const RequestUpdate& update) const {
  return !request_.on_update || request_.on_update(update);
}

}  // namespace qwenrt::runtime
