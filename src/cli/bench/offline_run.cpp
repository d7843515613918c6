#include "cli/bench/offline_run.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/error.h"

namespace qwenrt::bench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// What the engine thread writes for one request; the submitting thread reads it once all are done.
struct Progress {
  std::vector<Clock::time_point> token_times;
  Clock::time_point finished;
  runtime::FinishReason finish = runtime::FinishReason::kError;
  std::string error;
  runtime::RequestMetrics metrics;
};

// Counts requests down to zero; the last one wakes the waiter.
class Countdown {
 public:
  explicit Countdown(std::size_t count) : count_(count) {}
  void done() {
    const std::lock_guard lock(mutex_);
    if (--count_ == 0) zero_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mutex_);
    zero_.wait(lock, [&] { return count_ == 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable zero_;
  std::size_t count_;
};

// Stats are published at the end of a step, a moment after its last callback has run.
runtime::SchedulerStats stats_when_idle(const runtime::LlmEngine& engine) {
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  runtime::SchedulerStats s = engine.stats();
  while ((s.running > 0 || s.waiting > 0) && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    s = engine.stats();
  }
  return s;
}

RequestRecord record_of(const Progress& p) {
  RequestRecord r;
  r.success = p.finish == runtime::FinishReason::kLength || p.finish == runtime::FinishReason::kStop;
  r.error = p.finish == runtime::FinishReason::kCancelled ? "cancelled" : p.error;
  r.prompt_tokens = p.metrics.prompt_tokens;
  r.output_tokens = p.metrics.output_tokens;
  r.ttft = p.metrics.time_to_first_token;
  r.e2e = p.metrics.total_seconds;
  for (std::size_t t = 1; t < p.token_times.size(); ++t) r.itl.push_back(seconds(p.token_times[t] - p.token_times[t - 1]));
  return r;
}

}  // namespace

OfflineRun run_offline(runtime::LlmEngine& engine, const std::vector<SampledRequest>& requests,
                       const runtime::SamplingParams& params) {
  std::vector<Progress> progress(requests.size());
  Countdown countdown(requests.size());
  // The engine publishes a step's stats after its callbacks: the warm-up request's answer can come
  // before its last step is counted, which would then count in this run.
  const runtime::SchedulerStats before = stats_when_idle(engine);
  const Clock::time_point start = Clock::now();
  for (std::size_t i = 0; i < requests.size(); ++i) {
    runtime::SamplingParams p = params;
    p.max_new_tokens = requests[i].output_len;
    p.ignore_eos = true;
    if (params.seed) p.seed = *params.seed + i;
    Progress& mine = progress[i];
    mine.token_times.reserve(requests[i].output_len);
    try {
      engine.submit({requests[i].prompt_ids, p, [&mine, &countdown](const runtime::RequestUpdate& u) {
                       if (u.token) mine.token_times.push_back(Clock::now());
                       if (u.result == nullptr) return true;
                       mine.finished = Clock::now();
                       mine.finish = u.result->finish;
                       mine.error = u.result->error;
                       mine.metrics = u.result->metrics;
                       countdown.done();
                       return true;
                     }});
    } catch (const Error& e) {
      mine.finished = Clock::now();
      mine.error = e.what();
      mine.metrics.prompt_tokens = requests[i].prompt_ids.size();
      countdown.done();
    }
  }
  countdown.wait();

  OfflineRun run;
  Clock::time_point end = start;
  for (const Progress& p : progress) {
    run.records.push_back(record_of(p));
    end = std::max(end, p.finished);
  }
  run.elapsed_seconds = seconds(end - start);
  run.stats = stats_when_idle(engine);
  // The counters run over the engine's life; the run is what they gained.
  run.stats.steps -= before.steps;
  run.stats.preemptions -= before.preemptions;
  run.stats.evictions -= before.evictions;
  run.stats.prompt_tokens -= before.prompt_tokens;
  run.stats.cached_prompt_tokens -= before.cached_prompt_tokens;
  run.stats.generated_tokens -= before.generated_tokens;
  run.stats.step_seconds -= before.step_seconds;
  run.stats.forward_seconds -= before.forward_seconds;
  run.stats.step_profile.subtract(before.step_profile);
  return run;
}

}  // namespace qwenrt::bench
