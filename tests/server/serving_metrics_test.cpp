// The Prometheus text of ServingMetrics: counters, gauges and cumulative histograms in exposition
// format 0.0.4, from recorded results and scheduler stats.
#include "server/serving_metrics.h"

#include <gtest/gtest.h>

#include <sstream>

namespace qwenrt::server {
namespace {

runtime::RequestResult result(runtime::FinishReason finish, std::size_t prompt, std::size_t output, double ttft,
                              double total) {
  runtime::RequestResult r;
  r.finish = finish;
  r.metrics.prompt_tokens = prompt;
  r.metrics.output_tokens = output;
  r.metrics.time_to_first_token = ttft;
  r.metrics.time_per_output_token = output > 1 ? 0.02 : 0;
  r.metrics.total_seconds = total;
  r.metrics.queue_seconds = 0.004;
  return r;
}

bool has_line(const std::string& text, const std::string& line) {
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (l == line) return true;
  }
  return false;
}

TEST(ServingMetrics, RendersCountersGaugesAndHistograms) {
  ServingMetrics metrics;
  metrics.record(result(runtime::FinishReason::kStop, 10, 5, 0.03, 0.2));
  metrics.record(result(runtime::FinishReason::kLength, 7, 1, 0.5, 0.6));
  metrics.record(result(runtime::FinishReason::kCancelled, 3, 0, 0, 0.01));
  runtime::SchedulerStats stats;
  stats.running = 2;
  stats.waiting = 1;
  stats.total_blocks = 100;
  stats.free_blocks = 75;
  stats.cached_blocks = 10;
  stats.preemptions = 4;
  const std::string text = metrics.render(stats);
  EXPECT_TRUE(has_line(text, "# TYPE qwenrt_request_success_total counter")) << text;
  EXPECT_TRUE(has_line(text, "qwenrt_request_success_total{finished_reason=\"stop\"} 1"));
  EXPECT_TRUE(has_line(text, "qwenrt_request_success_total{finished_reason=\"length\"} 1"));
  EXPECT_TRUE(has_line(text, "qwenrt_request_success_total{finished_reason=\"cancelled\"} 1"));
  EXPECT_TRUE(has_line(text, "qwenrt_request_success_total{finished_reason=\"error\"} 0"));
  EXPECT_TRUE(has_line(text, "qwenrt_prompt_tokens_total 20"));
  EXPECT_TRUE(has_line(text, "qwenrt_generation_tokens_total 6"));
  EXPECT_TRUE(has_line(text, "qwenrt_num_preemptions_total 4"));
  EXPECT_TRUE(has_line(text, "# TYPE qwenrt_num_requests_running gauge"));
  EXPECT_TRUE(has_line(text, "qwenrt_num_requests_running 2"));
  EXPECT_TRUE(has_line(text, "qwenrt_num_requests_waiting 1"));
  EXPECT_TRUE(has_line(text, "qwenrt_kv_cache_blocks_used 25"));
  EXPECT_TRUE(has_line(text, "qwenrt_kv_cache_blocks_cached 10"));
  EXPECT_TRUE(has_line(text, "qwenrt_kv_cache_usage_perc 0.25"));
  // Time to first token: only the two results with a token; buckets are cumulative.
  EXPECT_TRUE(has_line(text, "# TYPE qwenrt_time_to_first_token_seconds histogram"));
  EXPECT_TRUE(has_line(text, "qwenrt_time_to_first_token_seconds_bucket{le=\"0.02\"} 0"));
  EXPECT_TRUE(has_line(text, "qwenrt_time_to_first_token_seconds_bucket{le=\"0.04\"} 1"));
  EXPECT_TRUE(has_line(text, "qwenrt_time_to_first_token_seconds_bucket{le=\"0.5\"} 2"));
  EXPECT_TRUE(has_line(text, "qwenrt_time_to_first_token_seconds_bucket{le=\"+Inf\"} 2"));
  EXPECT_TRUE(has_line(text, "qwenrt_time_to_first_token_seconds_count 2"));
  EXPECT_TRUE(has_line(text, "qwenrt_time_to_first_token_seconds_sum 0.53"));
  EXPECT_TRUE(has_line(text, "qwenrt_time_per_output_token_seconds_count 1"));
  EXPECT_TRUE(has_line(text, "qwenrt_e2e_request_latency_seconds_count 3"));
  EXPECT_TRUE(has_line(text, "qwenrt_request_queue_time_seconds_count 3"));
  // Every line is a comment or "name[{labels}] value", and the text ends with a newline.
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# ", 0) == 0) continue;
    EXPECT_EQ(line.rfind("qwenrt_", 0), 0u) << line;
    EXPECT_NE(line.find(' '), std::string::npos) << line;
  }
  EXPECT_EQ(text.back(), '\n');
}

}  // namespace
}  // namespace qwenrt::server
