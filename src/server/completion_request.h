// A POST /v1/completions body, parsed and checked: its prompts (text or token ids, one or a list) as
// token ids, and the generation fields (generation_request.h).
#pragma once

#include <vector>

#include "server/generation_request.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::server {

struct CompletionRequest {
  GenerationRequest generation;
  // Each prompt gets n choices: choice p * n + i is prompt p's i-th, as OpenAI numbers them.
  std::vector<std::vector<tokenizer::TokenId>> prompts;
};

// Throws ApiError (400 naming the field, 404 for another model's name).
CompletionRequest parse_completion_request(const Json& body, const ApiConfig& config,
                                           const tokenizer::Tokenizer& tokenizer, std::size_t vocab_size);

}  // namespace qwenrt::server
