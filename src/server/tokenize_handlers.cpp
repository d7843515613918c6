#include "server/tokenize_handlers.h"

#include "server/chat_completion_handler.h"
#include "server/openai_responses.h"

namespace qwenrt::server {

void handle_tokenize(const ApiContext& context, const HttpRequest& request, HttpResponder& responder) {
  const Json body = parse_json_body(request.body);
  check_model(body, context.config.model_name);
  std::vector<tokenizer::TokenId> tokens;
  if (find_field(body, "messages") != nullptr) {
    ChatCompletionRequest chat = parse_chat_completion_request(body, context.config);
    chat.options.add_generation_prompt = bool_field(body, "add_generation_prompt").value_or(true);
    tokens = render_chat_prompt(context, chat);
  } else {
    const std::optional<std::string> prompt = string_field(body, "prompt");
    if (!prompt) fail_param("prompt", "missing: give a prompt or messages");
    try {
      tokens = context.tokenizer.encode(*prompt);
    } catch (const Error& e) {
      fail_param("prompt", e.what());
    }
  }
  const Json out = {{"tokens", tokens}, {"count", tokens.size()}, {"max_model_len", context.engine.context_length()}};
  responder.respond(200, "application/json", to_json_text(out));
}

void handle_detokenize(const ApiContext& context, const HttpRequest& request, HttpResponder& responder) {
  const Json body = parse_json_body(request.body);
  check_model(body, context.config.model_name);
  const Json* tokens = find_field(body, "tokens");
  if (tokens == nullptr) fail_param("tokens", "missing");
  if (!tokens->is_array()) fail_param("tokens", "expected an array of token ids");
  std::vector<tokenizer::TokenId> ids;
  for (const Json& id : *tokens) {
    const std::size_t vocab = context.tokenizer.vocab_size();
    if (!id.is_number_integer() || id.get<std::int64_t>() < 0 || id.get<std::int64_t>() >= static_cast<std::int64_t>(vocab)) {
      fail_param("tokens", str_cat("expected token ids in [0, ", vocab, "), got ", id.dump()));
    }
    ids.push_back(id.get<tokenizer::TokenId>());
  }
  std::string text;
  try {
    text = context.tokenizer.decode_text(ids);
  } catch (const Error& e) {
    fail_param("tokens", e.what());
  }
  responder.respond(200, "application/json", to_json_text(Json{{"prompt", text}}));
}

}  // namespace qwenrt::server
