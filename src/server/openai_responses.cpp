#include "server/openai_responses.h"

#include <cmath>
#include <mutex>
#include <random>

#include "core/error.h"
#include "core/utf8.h"

namespace qwenrt::server {
namespace {

// A token's bytes; none for the ids a model's padded vocabulary has beyond the tokenizer's, which a
// top-logprobs list can name, nor for an id that the vocabulary leaves unassigned.
std::string_view known_bytes(const tokenizer::Tokenizer& tokenizer, tokenizer::TokenId id) {
  try {
    return tokenizer.generated_token_bytes(id);
  } catch (const Error&) {
    return {};
  }
}

// The text a client sees for one token: its bytes, with half a character shown as U+FFFD.
std::string token_text(const tokenizer::Tokenizer& tokenizer, tokenizer::TokenId id) {
  return utf8::sanitize(known_bytes(tokenizer, id));
}

Json token_bytes(const tokenizer::Tokenizer& tokenizer, tokenizer::TokenId id) {
  Json bytes = Json::array();
  for (const char c : known_bytes(tokenizer, id)) bytes.push_back(static_cast<unsigned char>(c));
  return bytes;
}

// A masked token's log-probability is -inf, which JSON cannot write; vLLM writes -9999.0.
double finite_logprob(float logprob) { return std::isinf(logprob) ? -9999.0 : logprob; }

}  // namespace

std::string random_id(std::string_view prefix) {
  static std::mutex mutex;
  static std::mt19937_64 random{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(prefix);
  const std::lock_guard lock(mutex);
  for (int i = 0; i < 24; ++i) id += kHex[random() % 16];
  return id;
}

std::string to_json_text(const Json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Json usage_json(const Usage& usage) {
  Json out;
  out["prompt_tokens"] = usage.prompt_tokens;
  out["completion_tokens"] = usage.completion_tokens;
  out["total_tokens"] = usage.prompt_tokens + usage.completion_tokens;
  out["prompt_tokens_details"] = {{"cached_tokens", usage.cached_tokens}};
  return out;
}

std::string finish_reason_text(runtime::FinishReason reason, bool tool_calls) {
  if (tool_calls && reason == runtime::FinishReason::kStop) return "tool_calls";
  return std::string(runtime::finish_reason_name(reason));
}

Json chat_logprobs_content(const tokenizer::Tokenizer& tokenizer, std::span<const tokenizer::TokenId> tokens,
                           std::span<const runtime::TokenLogprobs> logprobs) {
  Json content = Json::array();
  for (std::size_t i = 0; i < tokens.size() && i < logprobs.size(); ++i) {
    Json top = Json::array();
    for (const runtime::TokenLogprob& t : logprobs[i].top) {
      top.push_back({{"token", token_text(tokenizer, t.id)},
                     {"logprob", finite_logprob(t.logprob)},
                     {"bytes", token_bytes(tokenizer, t.id)}});
    }
    content.push_back({{"token", token_text(tokenizer, tokens[i])},
                       {"logprob", finite_logprob(logprobs[i].chosen)},
                       {"bytes", token_bytes(tokenizer, tokens[i])},
                       {"top_logprobs", std::move(top)}});
  }
  return content;
}

Json completion_logprobs(const tokenizer::Tokenizer& tokenizer, std::span<const tokenizer::TokenId> tokens,
                         std::span<const runtime::TokenLogprobs> logprobs, std::size_t& text_offset) {
  Json out = {{"tokens", Json::array()}, {"token_logprobs", Json::array()}, {"top_logprobs", Json::array()},
              {"text_offset", Json::array()}};
  for (std::size_t i = 0; i < tokens.size() && i < logprobs.size(); ++i) {
    const std::string text = token_text(tokenizer, tokens[i]);
    Json top = Json::object();
    for (const runtime::TokenLogprob& t : logprobs[i].top) top[token_text(tokenizer, t.id)] = finite_logprob(t.logprob);
    out["tokens"].push_back(text);
    out["token_logprobs"].push_back(finite_logprob(logprobs[i].chosen));
    out["top_logprobs"].push_back(std::move(top));
    out["text_offset"].push_back(text_offset);
    text_offset += text.size();
  }
  return out;
}

Json response_head(const std::string& id, const char* object, std::int64_t created, const std::string& model) {
  return {{"id", id}, {"object", object}, {"created", created}, {"model", model}};
}

}  // namespace qwenrt::server

namespace qwenrt::server {

Usage total_usage(std::span<const runtime::RequestResult> results, std::size_t n) {
  Usage usage;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (i % n == 0) {
      usage.prompt_tokens += results[i].metrics.prompt_tokens;
      usage.cached_tokens += results[i].metrics.cached_prompt_tokens;
    }
    usage.completion_tokens += results[i].tokens.size();
  }
  return usage;
}

std::optional<ApiError> choice_failure(const runtime::RequestResult& result) {
  if (result.finish == runtime::FinishReason::kError) {
    return ApiError(500, str_cat("generation failed: ", result.error), "server_error");
  }
  if (result.finish == runtime::FinishReason::kCancelled) {
    return ApiError(503, "the request was cancelled: the server is shutting down", "server_error");
  }
  return std::nullopt;
}

}  // namespace qwenrt::server
