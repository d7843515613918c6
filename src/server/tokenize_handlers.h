// vLLM's POST /tokenize and POST /detokenize: a prompt or a chat's messages to the token ids the
// model would see ({tokens, count, max_model_len}), and token ids back to text ({prompt}).
#pragma once

#include <memory>

#include "server/api_context.h"
#include "server/http_exchange.h"

namespace qwenrt::server {

// Both throw ApiError (400 naming the field, 404 for another model's name).
void handle_tokenize(const ApiContext& context, const HttpRequest& request, HttpResponder& responder);
void handle_detokenize(const ApiContext& context, const HttpRequest& request, HttpResponder& responder);

}  // namespace qwenrt::server
