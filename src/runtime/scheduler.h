// Continuous batching over one backend, as vLLM schedules it. Each step() runs one forward pass over
// a batch of many requests: the next token of every running request, then the rest of any prompt
// still being prefilled, then the first chunk of newly admitted prompts, within a token budget, so a
// long prompt is spread over several steps (chunked prefill) and never stalls the others. Requests are
// admitted first come, first served while KV blocks remain above a small watermark. When a running
// request needs a block and none is free, the newest running request is preempted: it gives its
// blocks back and returns to the head of the queue to be recomputed later, so no request ever fails
// for lack of memory. After the forward pass each request samples its next token, checks its stops
// and streams its text.
//
// Threads: submit(), cancel(), stats() and queued() may be called from any thread; they only touch an
// inbox that step() empties at its start and counters. Everything else belongs to one engine thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <stop_token>
#include <string_view>
#include <vector>

#include "engine/backend.h"
#include "runtime/json_object_constraint.h"
#include "runtime/kv_block_manager.h"
#include "runtime/request.h"
#include "runtime/request_state.h"
#include "runtime/step_profile.h"

namespace qwenrt::runtime {

struct SchedulerConfig {
  std::size_t max_num_seqs = 64;             // requests running at once
  std::size_t max_num_batched_tokens = 512;  // tokens in one forward step
  // Fraction of the KV blocks a new request must leave free when others are running, so that the
  // running ones can grow for a while without preemption (vLLM's watermark).
  double kv_watermark = 0.01;
  // Reuse the KV blocks of equal prompt prefixes across requests.
  bool prefix_caching = true;

  // Throws Error naming the first field out of range. max_num_batched_tokens must be at least
  // max_num_seqs, so every running request gets its decode token in every step.
  void validate() const;
};

struct SchedulerStats {
  std::size_t waiting = 0;  // submitted, not yet running (preempted ones included)
  std::size_t running = 0;
  std::size_t total_blocks = 0;
  std::size_t free_blocks = 0;
  std::size_t cached_blocks = 0;
  std::uint64_t steps = 0;
  std::uint64_t preemptions = 0;
  std::uint64_t evictions = 0;  // cached KV blocks reused for other contents
  std::uint64_t prompt_tokens = 0;          // of admitted requests
  std::uint64_t cached_prompt_tokens = 0;   // of those, found in the prefix cache
  std::uint64_t generated_tokens = 0;
  // The most KV blocks that running requests held at once, as scheduled for a step: how much of the
  // cache the load needed (a benchmark reports it next to total_blocks).
  std::size_t peak_used_blocks = 0;
  // Wall time of the steps, and of the backend's forward passes within them (the device's work and
  // the wait for it); the rest is the host's scheduling, sampling bookkeeping and callbacks.
  double step_seconds = 0;
  double forward_seconds = 0;
  StepProfile step_profile;  // the same steps by size
  std::size_t last_step_sequences = 0;
  std::size_t last_step_tokens = 0;
};

class Scheduler {
 public:
  // backend and tokenizer must outlive the scheduler. eos_token_ids are the model's end-of-text ids
  // (SamplingParams::ignore_eos switches them off). Throws Error for an invalid config.
  Scheduler(engine::Backend& backend, const tokenizer::Tokenizer& tokenizer,
            std::vector<tokenizer::TokenId> eos_token_ids, SchedulerConfig config = {});
  // Requests still unfinished end as cancelled (their callbacks hear so).
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Positions one request may use: the KV cache's capacity, at most the model's maximum positions.
  std::size_t context_length() const { return context_length_; }

  // Any thread. Queues a request for the next step and returns its id. Throws Error, queuing nothing,
  // for invalid sampling params or stop strings, an empty prompt, an id outside the vocabulary, or a
  // prompt that leaves no room in the context to generate.
  RequestId submit(Request request);
  // Any thread. The request ends as cancelled at the start of the next step, its blocks freed.
  // Unknown or finished ids are ignored.
  void cancel(RequestId id);
  // Any thread. As of the end of the last step.
  SchedulerStats stats() const;
  // Any thread. Requests submitted and not running now (preempted ones included): stats().waiting,
  // but counted as it changes, where stats lag a step behind submissions and admissions.
  std::size_t queued() const { return queued_.load(); }

  // Engine thread. Blocks until there is work or stop is requested; false when stopped without work.
  bool wait_for_work(std::stop_token stop);
  // Engine thread. Takes in new requests and cancels, then runs one forward step if anything can run.
  // Returns whether a step ran. A forward pass that throws ends its batch's requests with
  // FinishReason::kError; the rest go on.
  bool step();
  // Engine thread. Ends every request, queued or running, with FinishReason::kError and message.
  void abort_all(std::string_view message);
  // Engine thread: the KV blocks, for metrics and tests.
  const KvBlockManager& blocks() const { return blocks_; }

 private:
  void take_inbox();
  // Sets each running and admitted request's step_tokens(); empty when nothing can run.
  void schedule();
  void schedule_decodes(std::size_t& budget);
  void schedule_prefill_chunks(std::size_t& budget);
  void admit_waiting(std::size_t& budget);
  // Grows the request's blocks to cover tokens positions, preempting the newest running requests not
  // yet in this step (the request itself last). False when the request itself was preempted.
  bool make_room(RequestState& request, std::size_t tokens);
  void preempt(RequestState& request);
  // Tokens the request's blocks and all free blocks can still take.
  std::size_t room_for(const RequestState& request) const;
  void run_batch();
  // Removes the request from running_ and frees its blocks.
  void retire(RequestState& request);
  std::uint64_t kv_salt(std::size_t prompt_tokens) const;
  void end_all(FinishReason reason, std::string_view message);
  void publish_stats(std::size_t step_sequences, std::size_t step_tokens);

  engine::Backend& backend_;
  const tokenizer::Tokenizer& tokenizer_;
  const std::vector<tokenizer::TokenId> eos_token_ids_;
  const SchedulerConfig config_;
  const std::size_t context_length_;
  const std::size_t watermark_blocks_;

  // Engine thread only. running_ is in admission order: the newest at the back is preempted first.
  KvBlockManager blocks_;
  std::vector<std::unique_ptr<RequestState>> running_;
  std::deque<std::unique_ptr<RequestState>> waiting_;
  std::vector<float> logits_;
  std::vector<engine::TokenSampling> sampling_rows_;
  std::vector<tokenizer::TokenId> sampled_;
  std::uint64_t steps_ = 0, preemptions_ = 0, prompt_tokens_ = 0, cached_prompt_tokens_ = 0, generated_tokens_ = 0;
  std::size_t peak_used_blocks_ = 0;
  double step_seconds_ = 0, forward_seconds_ = 0;
  StepProfile step_profile_;

  // Built at the first request that asks for a JSON object (it sorts the whole vocabulary).
  std::once_flag json_vocabulary_once_;
  std::shared_ptr<const JsonVocabulary> json_vocabulary_;

  std::atomic<RequestId> next_id_{1};
  std::atomic<std::size_t> queued_{0};
  mutable std::mutex inbox_mutex_;
  std::condition_variable_any inbox_ready_;
  std::vector<std::unique_ptr<RequestState>> submitted_;
  std::vector<RequestId> cancelled_;

  mutable std::mutex stats_mutex_;
  SchedulerStats stats_;
};

}  // namespace qwenrt::runtime
