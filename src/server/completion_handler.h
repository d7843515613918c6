// POST /v1/completions: the legacy API, raw prompts with no template, each prompt's n choices returned
// as OpenAI's text_completion, or streamed as text_completion chunks.
#pragma once

#include <memory>

#include "server/api_context.h"
#include "server/http_exchange.h"

namespace qwenrt::server {

// Throws ApiError for a request refused before anything was sent.
void handle_completion(const std::shared_ptr<ApiContext>& context, const HttpRequest& request,
                       const std::shared_ptr<HttpResponder>& responder);

}  // namespace qwenrt::server
