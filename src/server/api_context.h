// What every route of the OpenAI API works with: the engine and tokenizer it serves, its limits, its
// metrics and the requests in flight. Shared (shared_ptr) between the API object and the callbacks of
// the requests it has in the engine, which may outlive it.
#pragma once

#include <atomic>
#include <cstdint>

#include "runtime/llm_engine.h"
#include "server/api_config.h"
#include "server/in_flight_requests.h"
#include "server/serving_metrics.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::server {

struct ApiContext {
  ApiContext(runtime::LlmEngine& engine, const tokenizer::Tokenizer& tokenizer,
             const tokenizer::ChatTemplate& chat_template, ApiConfig config);

  // Throws ApiError 503 while shutting down and 429 (with Retry-After) while the engine's queue is full.
  void admit_generation() const;

  runtime::LlmEngine& engine;
  const tokenizer::Tokenizer& tokenizer;
  const tokenizer::ChatTemplate& chat_template;
  const ApiConfig config;
  const std::int64_t created;  // when the server started (Unix seconds): /v1/models' "created"
  ServingMetrics metrics;
  InFlightRequests in_flight;
  std::atomic<bool> accepting{true};
};

}  // namespace qwenrt::server
