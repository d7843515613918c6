#include "server/completion_request.h"

namespace qwenrt::server {
namespace {

constexpr const char* kPromptShapes = "expected a string, an array of strings, an array of token ids or an array of those";

std::vector<tokenizer::TokenId> token_ids(const Json& ids, std::size_t vocab_size) {
  std::vector<tokenizer::TokenId> out;
  for (const Json& id : ids) {
    if (!id.is_number_integer()) fail_param("prompt", kPromptShapes);
    const std::int64_t value = id.get<std::int64_t>();
    if (value < 0 || static_cast<std::uint64_t>(value) >= vocab_size) {
      fail_param("prompt", str_cat("token id ", value, " is outside the vocabulary [0, ", vocab_size, ")"));
    }
    out.push_back(static_cast<tokenizer::TokenId>(value));
  }
  return out;
}

std::vector<tokenizer::TokenId> text_ids(const Json& text, const tokenizer::Tokenizer& tokenizer) {
  try {
    return tokenizer.encode(text.get<std::string>());
  } catch (const Error& e) {
    fail_param("prompt", e.what());
  }
}

std::vector<std::vector<tokenizer::TokenId>> parse_prompts(const Json& body, const tokenizer::Tokenizer& tokenizer,
                                                           std::size_t vocab_size) {
  const Json* prompt = find_field(body, "prompt");
  if (prompt == nullptr) fail_param("prompt", "missing: a completion needs a prompt");
  std::vector<std::vector<tokenizer::TokenId>> prompts;
  if (prompt->is_string()) {
    prompts.push_back(text_ids(*prompt, tokenizer));
  } else if (prompt->is_array() && !prompt->empty() && (*prompt)[0].is_number()) {
    prompts.push_back(token_ids(*prompt, vocab_size));
  } else if (prompt->is_array() && !prompt->empty()) {
    for (const Json& p : *prompt) {
      if (p.is_string()) {
        prompts.push_back(text_ids(p, tokenizer));
      } else if (p.is_array()) {
        prompts.push_back(token_ids(p, vocab_size));
      } else {
        fail_param("prompt", kPromptShapes);
      }
    }
  } else {
    fail_param("prompt", kPromptShapes);
  }
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    if (prompts[i].empty()) fail_param("prompt", prompts.size() == 1 ? "is empty" : str_cat("prompt ", i, " is empty"));
  }
  return prompts;
}

// Fields of the legacy API that would change the answer's meaning and that qwenrt does not implement:
// refused rather than ignored.
void refuse_unsupported(const Json& body, std::size_t n) {
  if (bool_field(body, "echo").value_or(false)) fail_param("echo", "is not supported");
  if (string_field(body, "suffix")) fail_param("suffix", "is not supported");
  if (const auto best_of = integer_field(body, "best_of"); best_of && static_cast<std::size_t>(*best_of) != n) {
    fail_param("best_of", "is not supported (only best_of equal to n)");
  }
}

}  // namespace

CompletionRequest parse_completion_request(const Json& body, const ApiConfig& config,
                                           const tokenizer::Tokenizer& tokenizer, std::size_t vocab_size) {
  check_model(body, config.model_name);
  CompletionRequest r;
  r.prompts = parse_prompts(body, tokenizer, vocab_size);
  r.generation = parse_generation_request(body, config, {"max_tokens"});
  if (const auto n = integer_field_in(body, "logprobs", 0, static_cast<std::int64_t>(runtime::kMaxLogprobs))) {
    r.generation.params.logprobs = static_cast<std::size_t>(*n);
  }
  refuse_unsupported(body, r.generation.n);
  if (r.prompts.size() * r.generation.n > kMaxChoices) {
    fail_param("n", str_cat("prompts times n must be at most ", kMaxChoices, ", got ", r.prompts.size() * r.generation.n));
  }
  return r;
}

}  // namespace qwenrt::server
