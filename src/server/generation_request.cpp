#include "server/generation_request.h"

#include <algorithm>

namespace qwenrt::server {
namespace {

std::vector<std::string> parse_stop(const Json& body) {
  const Json* stop = find_field(body, "stop");
  if (stop == nullptr) return {};
  if (stop->is_string()) return {stop->get<std::string>()};
  if (!stop->is_array()) fail_param("stop", "expected a string or an array of strings");
  std::vector<std::string> out;
  for (const Json& s : *stop) {
    if (!s.is_string()) fail_param("stop", "expected a string or an array of strings");
    out.push_back(s.get<std::string>());
  }
  return out;
}

bool parse_response_format(const Json& body) {
  const Json* format = find_field(body, "response_format");
  if (format == nullptr) return false;
  if (!format->is_object()) fail_param("response_format", "expected an object such as {\"type\": \"json_object\"}");
  const std::optional<std::string> type = string_field(*format, "type");
  if (!type) fail_param("response_format", "type: missing");
  if (*type == "json_object") return true;
  if (*type == "text") return false;
  fail_param("response_format", str_cat("type: \"", *type, "\" is not supported (\"text\" or \"json_object\")"));
}

bool parse_include_usage(const Json& body, bool stream) {
  const Json* options = find_field(body, "stream_options");
  if (options == nullptr) return false;
  if (!options->is_object()) fail_param("stream_options", "expected an object");
  if (!stream) fail_param("stream_options", "only allowed when stream is true");
  const auto it = options->find("include_usage");
  if (it == options->end() || it->is_null()) return false;
  if (!it->is_boolean()) fail_param("stream_options", "include_usage: expected a boolean");
  return it->get<bool>();
}

void read_sampling_fields(const Json& body, runtime::SamplingParams& p) {
  if (auto v = number_field(body, "temperature")) p.temperature = *v;
  if (auto v = number_field(body, "top_p")) p.top_p = *v;
  if (auto v = integer_field(body, "top_k")) {
    // vLLM and the OpenAI clients spell "off" as -1; the runtime as 0.
    if (*v < -1) fail_param("top_k", str_cat("must be -1 (off), 0 (off) or positive, got ", *v));
    p.top_k = *v < 0 ? 0 : static_cast<std::size_t>(*v);
  }
  if (auto v = number_field(body, "min_p")) p.min_p = *v;
  if (auto v = number_field(body, "presence_penalty")) p.presence_penalty = *v;
  if (auto v = number_field(body, "frequency_penalty")) p.frequency_penalty = *v;
  if (auto v = number_field(body, "repetition_penalty")) p.repetition_penalty = *v;
  if (auto v = integer_field(body, "seed")) p.seed = static_cast<std::uint64_t>(*v);
  if (auto v = bool_field(body, "ignore_eos")) p.ignore_eos = *v;
  p.stop = parse_stop(body);
  p.json_object = parse_response_format(body);
}

}  // namespace

runtime::SamplingParams GenerationRequest::choice_params(std::size_t i) const {
  runtime::SamplingParams p = params;
  if (p.seed) *p.seed += i;
  return p;
}

void check_model(const Json& body, const std::string& model_name) {
  const std::optional<std::string> model = string_field(body, "model");
  if (model && *model != model_name) {
    throw ApiError(404, str_cat("The model '", *model, "' does not exist; this server serves '", model_name, "'"),
                   "invalid_request_error", "model", "model_not_found");
  }
}

GenerationRequest parse_generation_request(const Json& body, const ApiConfig& config,
                                           std::initializer_list<const char*> max_tokens_keys) {
  GenerationRequest r;
  r.params = runtime::SamplingParams::from_generation_config(config.generation);
  r.params.max_new_tokens = config.max_new_tokens;
  r.n = static_cast<std::size_t>(integer_field_in(body, "n", 1, static_cast<std::int64_t>(kMaxChoices)).value_or(1));
  r.stream = bool_field(body, "stream").value_or(false);
  r.include_usage = parse_include_usage(body, r.stream);
  string_field(body, "user");  // accepted and ignored, as vLLM does, but it must be a string
  for (const char* key : max_tokens_keys) {
    const std::optional<std::int64_t> limit = integer_field(body, key);
    if (!limit) continue;
    if (*limit < 1) fail_param(key, str_cat("must be at least 1, got ", *limit));
    if (static_cast<std::size_t>(*limit) > config.max_new_tokens) {
      fail_param(key, str_cat("must be at most ", config.max_new_tokens, " (this server's limit), got ", *limit));
    }
    r.params.max_new_tokens = static_cast<std::size_t>(*limit);
    r.max_tokens_given = true;
    break;
  }
  read_sampling_fields(body, r.params);
  try {
    r.params.validate();
  } catch (const Error& e) {
    throw invalid_request(e, "max_new_tokens", *max_tokens_keys.begin());
  }
  return r;
}

void fit_to_context(GenerationRequest& request, std::size_t prompt_tokens, const char* prompt_param,
                    const ApiConfig& config, std::size_t context_length) {
  if (prompt_tokens > config.max_input_len || prompt_tokens >= context_length) {
    fail_param(prompt_param, str_cat("the prompt has ", prompt_tokens, " tokens, more than this server takes: at most ",
                                     std::min(config.max_input_len, context_length - 1),
                                     " prompt tokens (max_input_len ", config.max_input_len, "), and the context holds ",
                                     context_length, " tokens of prompt and completion"));
  }
  const std::size_t room = context_length - prompt_tokens;
  const std::size_t wanted = request.params.max_new_tokens.value_or(room);
  if (wanted <= room) return;
  if (request.max_tokens_given) {
    fail_param("max_tokens", str_cat("the context holds ", context_length, " tokens, but the prompt has ", prompt_tokens,
                                     " and ", wanted, " more were asked for; ask for at most ", room));
  }
  request.params.max_new_tokens = room;
}

}  // namespace qwenrt::server
