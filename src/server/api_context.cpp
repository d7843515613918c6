#include "server/api_context.h"

#include <chrono>

#include "core/error.h"
#include "server/api_error.h"

namespace qwenrt::server {

ApiContext::ApiContext(runtime::LlmEngine& engine_, const tokenizer::Tokenizer& tokenizer_,
                       const tokenizer::ChatTemplate& chat_template_, ApiConfig config_)
    : engine(engine_),
      tokenizer(tokenizer_),
      chat_template(chat_template_),
      config(std::move(config_)),
      created(std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                  .count()) {}

void ApiContext::admit_generation() const {
  if (!accepting) throw ApiError(503, "the server is shutting down", "server_error");
  if (config.max_waiting_requests == 0) return;
  const std::size_t waiting = engine.queued();
  if (waiting >= config.max_waiting_requests) {
    throw ApiError(429, str_cat("the server is busy: ", waiting, " requests are waiting (at most ",
                                config.max_waiting_requests, "); retry later"),
                   "rate_limit_exceeded");
  }
}

}  // namespace qwenrt::server
