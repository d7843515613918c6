// The serving runtime's top: a Scheduler over one backend and the engine thread that loops on its
// step() while there is work and sleeps while there is none. Server threads submit and cancel
// requests at any time; results come back through each request's callback, on the engine thread.
#pragma once

#include <cstddef>
#include <stop_token>
#include <thread>
#include <vector>

#include "engine/backend.h"
#include "runtime/request.h"
#include "runtime/scheduler.h"

namespace qwenrt::runtime {

class LlmEngine {
 public:
  // backend and tokenizer must outlive the engine; see Scheduler for the rest. Starts the engine
  // thread. Throws Error for an invalid config.
  LlmEngine(engine::Backend& backend, const tokenizer::Tokenizer& tokenizer,
            std::vector<tokenizer::TokenId> eos_token_ids, SchedulerConfig config = {});
  // Stops the engine thread after its current step; unfinished requests end as cancelled.
  ~LlmEngine();
  LlmEngine(const LlmEngine&) = delete;
  LlmEngine& operator=(const LlmEngine&) = delete;

  // Any thread; see Scheduler::submit, cancel, stats and queued.
  RequestId submit(Request request) { return scheduler_.submit(std::move(request)); }
  void cancel(RequestId id) { scheduler_.cancel(id); }
  SchedulerStats stats() const { return scheduler_.stats(); }
  std::size_t queued() const { return scheduler_.queued(); }
  std::size_t context_length() const { return scheduler_.context_length(); }

  // Any thread but the engine's: submits one request and waits for its result. Throws Error as submit.
  RequestResult generate(std::vector<tokenizer::TokenId> prompt, const SamplingParams& params);

 private:
  void loop(std::stop_token stop);

  Scheduler scheduler_;
  std::jthread thread_;  // declared last: starts once the scheduler exists and stops before it goes
};

}  // namespace qwenrt::runtime
