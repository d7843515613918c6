// The pieces of OpenAI's response shapes that chat and legacy completions share, whole or streamed:
// ids, usage, logprobs in either shape, finish reasons, and JSON text as it goes on the wire.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "runtime/request.h"
#include "runtime/sequence_output.h"
#include "runtime/token_logprobs.h"
#include "server/request_fields.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::server {

// prefix + 24 random hex digits ("chatcmpl-...", "cmpl-...", "call_...").
std::string random_id(std::string_view prefix);

// One line of JSON, invalid UTF-8 replaced (a token's text may end inside a character).
std::string to_json_text(const Json& value);

struct Usage {
  std::size_t prompt_tokens = 0;
  std::size_t completion_tokens = 0;
  std::size_t cached_tokens = 0;  // of the prompt tokens, found in the prefix cache
};

Json usage_json(const Usage& usage);

// OpenAI's finish_reason: "stop", "length", or "tool_calls" when the answer called tools.
std::string finish_reason_text(runtime::FinishReason reason, bool tool_calls);

// Chat's logprobs.content entries: {token, logprob, bytes, top_logprobs: [{token, logprob, bytes}]}.
Json chat_logprobs_content(const tokenizer::Tokenizer& tokenizer, std::span<const tokenizer::TokenId> tokens,
                           std::span<const runtime::TokenLogprobs> logprobs);

// Legacy completions' logprobs: {tokens, token_logprobs, top_logprobs: [{token: logprob}], text_offset}.
// text_offset is where the first token starts in the choice's text; it moves past the tokens.
Json completion_logprobs(const tokenizer::Tokenizer& tokenizer, std::span<const tokenizer::TokenId> tokens,
                         std::span<const runtime::TokenLogprobs> logprobs, std::size_t& text_offset);

// The fields every response and chunk starts with.
Json response_head(const std::string& id, const char* object, std::int64_t created, const std::string& model);

}  // namespace qwenrt::server

namespace qwenrt::server {

// usage over the choices of a request with n choices per prompt (choice p * n + i belongs to prompt p):
// each prompt counted once, with the cached tokens its first choice found.
Usage total_usage(std::span<const runtime::RequestResult> results, std::size_t n);

// The error a finished choice answers with: 500 for the engine's failure, 503 for a cancel the
// client did not ask for (shutdown); none for a choice that ended normally.
std::optional<ApiError> choice_failure(const runtime::RequestResult& result);

}  // namespace qwenrt::server
