// One request inside the scheduler: its tokens so far (the prompt, then what it generated), how many
// of them the KV cache holds, its own sampler and output tracker, and the times its metrics come from.
// A preempted request keeps all of this but its cached tokens: recomputing them gives it its KV back,
// and its sampler goes on where it was, so preemption never changes what it generates.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/json_object_constraint.h"
#include "runtime/request.h"
#include "runtime/sampler.h"
#include "runtime/sequence_output.h"

namespace qwenrt::runtime {

class RequestState {
 public:
  using Clock = std::chrono::steady_clock;

  // max_new_tokens: the request's limit, already cut to what the context leaves. kv_salt and
  // ntk_context_length: see KvBlockManager::find_cached_prefix and engine::SequenceStep.
  // json_vocabulary: the tokenizer's, for params.json_object (may be null otherwise). Throws Error for
  // invalid sampling params or stop strings.
  RequestState(RequestId id, Request request, const tokenizer::Tokenizer& tokenizer,
               std::span<const tokenizer::TokenId> eos_token_ids, std::size_t max_new_tokens, std::uint64_t kv_salt,
               std::size_t ntk_context_length, std::shared_ptr<const JsonVocabulary> json_vocabulary = nullptr);

  RequestId id() const { return id_; }
  std::span<const tokenizer::TokenId> tokens() const { return tokens_; }
  std::size_t computed_tokens() const { return computed_; }
  std::size_t pending_tokens() const { return tokens_.size() - computed_; }
  std::uint64_t kv_salt() const { return kv_salt_; }
  std::size_t ntk_context_length() const { return ntk_context_length_; }
  std::size_t preemptions() const { return result_.metrics.preemptions; }

  // Tokens of this request in the step being built (0: not in it).
  std::size_t step_tokens() const { return step_tokens_; }
  void schedule(std::size_t count) { step_tokens_ = count; }

  // It joined the running set with cached_tokens already in the KV cache.
  void admit(std::size_t cached_tokens);
  // The step ran: its tokens are in the KV cache now.
  void step_done();
  // It lost its KV blocks: every token must be computed again.
  void preempt();

  // After a step that computed every token: samples the next token from logits and reports it.
  // Returns true when the request has finished (its last update has been sent).
  bool sample_next(std::span<const float> logits);
  // Sampling on the backend's device instead: the row for the step (call once per step that will
  // complete the pending tokens), then what the device chose (Sampler::from_device), reported as
  // sample_next reports. Throws Error as from_device does.
  engine::TokenSampling device_sampling();
  bool take_device_choice(tokenizer::TokenId choice, std::span<const float> host_logits);
  // Ends the request now and sends its last update.
  void finish(FinishReason reason, std::string error = {});

 private:
  // Takes a sampled token: checks the stops, streams its text, and finishes the request when it ends.
  bool take(SampledToken sampled);
  // Fills in the result, appends the held-back text to text and sends update as the last one.
  void close(RequestUpdate& update, FinishReason reason, std::string_view text, std::string error);
  // Sends the update; false when the callback asks to cancel.
  bool send(const RequestUpdate& update) const;

  RequestId id_;
  Request request_;  // its prompt moved to tokens_
  std::vector<tokenizer::TokenId> tokens_;
  std::size_t computed_ = 0;
  std::size_t step_tokens_ = 0;
  std::uint64_t kv_salt_;
  std::size_t ntk_context_length_;
  Sampler sampler_;
  std::optional<JsonObjectConstraint> json_;  // params.json_object
  SequenceOutput output_;
  RequestResult result_;
  Clock::time_point submitted_ = Clock::now();
  std::optional<Clock::time_point> first_scheduled_, first_token_, last_token_;
};

}  // namespace qwenrt::runtime
