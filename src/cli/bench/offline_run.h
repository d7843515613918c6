// The offline throughput run, as vLLM's benchmark_throughput.py does it: every sampled request
// submitted to the engine at once, each generating exactly its dataset output length (EOS ignored),
// timed from the first submission to the last token. Each request's TTFT and end-to-end time come
// from runtime::RequestMetrics; its inter-token gaps from the times its token callbacks ran.
#pragma once

#include <vector>

#include "cli/bench/request_report.h"
#include "cli/bench/sharegpt_dataset.h"
#include "runtime/llm_engine.h"

namespace qwenrt::bench {

struct OfflineRun {
  std::vector<RequestRecord> records;  // in the order of the requests
  double elapsed_seconds = 0;
  runtime::SchedulerStats stats;  // the engine's, once every request has finished
};

// params is every request's sampling; its max_new_tokens and ignore_eos are set per request here, and
// a seed, when it has one, becomes seed + the request's index.
// The engine must be idle and have room for every request's prompt plus output (the caller checks);
// a request the engine rejects or fails is recorded as failed with its reason.
OfflineRun run_offline(runtime::LlmEngine& engine, const std::vector<SampledRequest>& requests,
                       const runtime::SamplingParams& params);

}  // namespace qwenrt::bench
