// The OpenAI-compatible API over the serving runtime: the routes `qwenrt serve` answers besides the web
// page. Each request is parsed and checked (OpenAI's error shape and status on any fault), turned into
// runtime requests on the LlmEngine, and answered whole or streamed as server-sent events, token by
// token, as the engine thread produces them. A client that disconnects cancels its requests at once.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "runtime/llm_engine.h"
#include "server/api_config.h"
#include "server/http_exchange.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::server {

class OpenAiApi {
 public:
  // engine, tokenizer and chat_template must outlive the API.
  OpenAiApi(runtime::LlmEngine& engine, const tokenizer::Tokenizer& tokenizer,
            const tokenizer::ChatTemplate& chat_template, ApiConfig config);
  ~OpenAiApi();
  OpenAiApi(const OpenAiApi&) = delete;
  OpenAiApi& operator=(const OpenAiApi&) = delete;

  // POST /v1/chat/completions, POST /v1/completions, GET /v1/models, POST /tokenize, POST /detokenize,
  // GET /health (public), GET /metrics. The handlers capture this object.
  std::vector<HttpRoute> routes();

  // Graceful shutdown: new generation requests get 503 from now on...
  void stop_accepting();
  // ...requests still generating (each choice counted) ...
  std::size_t in_flight() const;
  // ...and, once the deadline has passed, every one of them ends as cancelled.
  void cancel_all();

 private:
  struct State;
  std::shared_ptr<State> state_;  // shared with the callbacks of requests in flight
};

}  // namespace qwenrt::server
