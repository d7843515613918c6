// The online serving run, as vLLM's benchmark_serving.py makes it: each sampled request sent to an
// OpenAI-compatible server at its Poisson arrival time (all at once for an infinite rate), at most
// max_concurrency of them in flight, as a streaming completion of exactly its dataset output length
// ("max_tokens", "ignore_eos": true, "stream_options": {"include_usage": true}, greedy). Every chunk is
// timestamped as it is read: TTFT is the first chunk with text, ITL the gaps between such chunks, E2E
// the "[DONE]" event, all from the moment the request is sent; the output token count is the usage
// the server reports at the end. A request fails on a connection error, a status other than 200, an
// error event or a stream that ends before "[DONE]", and says why.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/bench/http_stream_client.h"
#include "cli/bench/request_report.h"
#include "cli/bench/sharegpt_dataset.h"

namespace qwenrt::bench {

struct ServingOptions {
  HttpServer server;
  std::string endpoint = "/v1/completions";  // or a chat endpoint (".../chat/completions"): the prompt becomes a user message
  std::string model;                         // the served model's name
  double request_rate = 0;                   // requests per second; infinity: all at once
  std::size_t max_concurrency = 0;           // 0: no limit
  std::uint64_t seed = 0;                    // of the arrival times
};

struct ServingRun {
  std::vector<RequestRecord> records;  // in the order of the requests
  double elapsed_seconds = 0;          // from the first request sent to the last one done
};

ServingRun run_serving(const ServingOptions& options, const std::vector<SampledRequest>& requests);

// The first model GET /v1/models lists. Throws Error naming the server when there is none.
std::string served_model(const HttpServer& server);

}  // namespace qwenrt::bench
