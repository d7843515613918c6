// The fields /v1/chat/completions and /v1/completions share: the model's name, how many choices, whether
// to stream, and the sampling parameters over the model's generation_config defaults, each checked
// (400 naming the field) as OpenAI and vLLM check them.
#pragma once

#include <cstddef>
#include <initializer_list>

#include "runtime/sampling_params.h"
#include "server/api_config.h"
#include "server/request_fields.h"

namespace qwenrt::server {

// The most choices one request may ask for (n, times the prompts of /v1/completions).
inline constexpr std::size_t kMaxChoices = 128;

struct GenerationRequest {
  runtime::SamplingParams params;  // choice 0's; with a seed, choice i draws from seed + i
  std::size_t n = 1;
  bool stream = false;
  bool include_usage = false;      // stream_options.include_usage
  bool max_tokens_given = false;   // the client set the limit (else it is cut to fit the context)

  // The params of choice i: its own seed when one was given, so that the choices differ yet replay.
  runtime::SamplingParams choice_params(std::size_t i) const;
};

// 404 model_not_found when the body names a model other than model_name (no model field is fine).
void check_model(const Json& body, const std::string& model_name);

// Reads every shared field. max_tokens_keys: the fields that set the token limit, the first present
// wins (chat takes max_completion_tokens before max_tokens).
GenerationRequest parse_generation_request(const Json& body, const ApiConfig& config,
                                           std::initializer_list<const char*> max_tokens_keys);

// Checks that a prompt of prompt_tokens fits the server's limits and the context (400 stating the
// lengths, param prompt_param), and cuts a default token limit to what the context leaves.
void fit_to_context(GenerationRequest& request, std::size_t prompt_tokens, const char* prompt_param,
                    const ApiConfig& config, std::size_t context_length);

}  // namespace qwenrt::server
