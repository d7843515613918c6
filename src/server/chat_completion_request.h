// A POST /v1/chat/completions body, parsed and checked: the messages and options the chat template
// renders, and the generation fields (generation_request.h).
#pragma once

#include <vector>

#include "server/generation_request.h"
#include "tokenizer/chat_messages.h"
#include "tokenizer/chat_template.h"

namespace qwenrt::server {

struct ChatCompletionRequest {
  GenerationRequest generation;
  std::vector<tokenizer::ChatMessage> messages;
  tokenizer::ChatOptions options;  // tools (absent with tool_choice "none"), enable_thinking
  bool parse_tool_calls = false;   // tools were given and tool_choice is "auto"
};

// Throws ApiError (400 naming the field, 404 for another model's name).
ChatCompletionRequest parse_chat_completion_request(const Json& body, const ApiConfig& config);

}  // namespace qwenrt::server
