// What one benchmark request came to (whether it succeeded, its token counts, when its tokens came)
// and the report both throughput and serving benchmarks print from a run's records: request and
// token rates over the run's elapsed time, and TTFT, TPOT, ITL and end-to-end latency at mean, p50,
// p90 and p99, defined as vLLM's benchmark_serving.py defines them:
//   TTFT  from the request's start to its first token;
//   TPOT  (end-to-end - TTFT) / (output tokens - 1), for requests with two tokens or more;
//   ITL   every gap between two consecutive token arrivals, all requests pooled;
//   E2E   from the request's start to its last token.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace qwenrt::bench {

struct RequestRecord {
  bool success = false;
  std::string error;  // why it failed: failures are counted by this text
  std::size_t prompt_tokens = 0;
  std::size_t output_tokens = 0;
  double ttft = 0;  // seconds, as every time below
  double e2e = 0;
  std::vector<double> itl;
};

// The report as JSON: completed, failed, failures ({reason: count}), elapsed_s, total_input_tokens,
// total_output_tokens, requests_per_s, output_tokens_per_s, total_tokens_per_s, and ttft_ms, tpot_ms,
// itl_ms, e2e_ms as {mean, p50, p90, p99}. Token totals count successful requests only.
nlohmann::ordered_json summarize_requests(const std::vector<RequestRecord>& records, double elapsed_seconds);

// The report as indented JSON when json, else as a table in the layout of vLLM's benchmark output,
// titled title, where keys that summarize_requests does not write come first, in their order, as
// "key: value" lines, and a "step_profile" (step_profile_report.h) as a table at the end.
void print_report(std::ostream& out, const std::string& title, const nlohmann::ordered_json& report, bool json);

}  // namespace qwenrt::bench
