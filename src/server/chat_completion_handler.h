// POST /v1/chat/completions: the request rendered with the model's chat template, its n choices
// generated, and each answer returned as OpenAI's chat.completion, or streamed as
// chat.completion.chunk events, with the Qwen3 thinking as reasoning_content and Hermes-style tool
// calls as tool_calls.
#pragma once

#include <memory>
#include <vector>

#include "server/api_context.h"
#include "server/chat_completion_request.h"
#include "server/http_exchange.h"

namespace qwenrt::server {

// The request's messages rendered with the model's chat template, as token ids. Throws ApiError 400
// (param messages) when the template cannot write them.
std::vector<tokenizer::TokenId> render_chat_prompt(const ApiContext& context, const ChatCompletionRequest& chat);

// Throws ApiError for a request refused before anything was sent.
void handle_chat_completion(const std::shared_ptr<ApiContext>& context, const HttpRequest& request,
                            const std::shared_ptr<HttpResponder>& responder);

}  // namespace qwenrt::server
