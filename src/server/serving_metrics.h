// The server's Prometheus metrics (text exposition format 0.0.4), as vLLM's /metrics reports them:
// counters of finished requests by finish reason and of prompt and generated tokens, the scheduler's
// gauges (running, waiting, KV blocks), and latency histograms from each request's RequestMetrics.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/request.h"
#include "runtime/scheduler.h"

namespace qwenrt::server {

// A cumulative histogram with fixed upper bounds (seconds), as Prometheus keeps them.
class LatencyHistogram {
 public:
  explicit LatencyHistogram(std::vector<double> bounds);
  void observe(double seconds);
  // The _bucket, _sum and _count lines of metric name.
  void render(const std::string& name, std::string& out) const;

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;  // per bucket, not cumulative; one more for +Inf
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

class ServingMetrics {
 public:
  ServingMetrics();

  // Any thread: one runtime request (one choice) has finished.
  void record(const runtime::RequestResult& result);

  // The whole exposition, with the gauges taken from stats.
  std::string render(const runtime::SchedulerStats& stats) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t> finished_;  // by finish reason
  std::uint64_t prompt_tokens_ = 0;
  std::uint64_t generation_tokens_ = 0;
  LatencyHistogram time_to_first_token_, time_per_output_token_, e2e_latency_, queue_time_;
};

// Content-Type of render()'s text.
inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace qwenrt::server
