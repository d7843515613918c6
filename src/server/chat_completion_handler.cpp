#include "server/chat_completion_handler.h"

#include <ctime>

#include "server/chat_output_parser.h"
#include "server/choice_group.h"
#include "server/chunk_stream.h"
#include "server/openai_responses.h"
#include "server/whole_response_sink.h"

namespace qwenrt::server {
namespace {

// How every choice's answer is read and reported.
struct AnswerShape {
  bool reasoning = false;   // Qwen3 with thinking on: split off reasoning_content
  bool tool_calls = false;  // the request has tools: parse <tool_call> blocks
  bool logprobs = false;
};

// index: the call's position in the choice's tool_calls, which streamed deltas carry.
Json tool_call_json(const ParsedToolCall& call, std::optional<std::size_t> index) {
  Json out;
  if (index) out["index"] = *index;
  out["id"] = random_id("call_");
  out["type"] = "function";
  out["function"] = {{"name", call.name}, {"arguments", call.arguments}};
  return out;
}

void append(ChatDelta& delta, ChatDelta more) {
  delta.reasoning += more.reasoning;
  delta.content += more.content;
  for (ParsedToolCall& call : more.tool_calls) delta.tool_calls.push_back(std::move(call));
}

Json choice_json(std::size_t index, Json delta, Json logprobs, Json finish_reason) {
  return {{"index", index}, {"delta", std::move(delta)}, {"logprobs", std::move(logprobs)},
          {"finish_reason", std::move(finish_reason)}};
}

class ChatStreamSink : public ChoiceSink {
 public:
  ChatStreamSink(const std::shared_ptr<ApiContext>& context, std::shared_ptr<HttpResponder> responder, Json head,
                 AnswerShape shape, std::size_t n, bool include_usage)
      : context_(context), stream_(std::move(responder), std::move(head), include_usage), shape_(shape) {
    for (std::size_t i = 0; i < n; ++i) {
      choices_.push_back({ChatOutputParser(shape.reasoning, shape.tool_calls)});
      stream_.send_choice(choice_json(i, {{"role", "assistant"}, {"content", ""}}, nullptr, nullptr));
    }
  }

  void abort(const ApiError& error) { stream_.abort(error); }

  void on_update(std::size_t i, const runtime::RequestUpdate& update) override {
    Choice& choice = choices_[i];
    if (update.token && update.logprobs) {
      choice.tokens.push_back(*update.token);
      choice.logprobs.push_back(*update.logprobs);
    }
    ChatDelta delta = choice.parser.feed(update.text);
    if (update.result) append(delta, choice.parser.finish());
    send_delta(i, delta);
    if (update.result == nullptr) return;
    if (const std::optional<ApiError> failure = choice_failure(*update.result)) {
      stream_.send_error(*failure);
    } else {
      stream_.send_choice(
          choice_json(i, Json::object(), nullptr, finish_reason_text(update.result->finish, choice.tool_calls > 0)));
    }
  }

  void on_finished(std::vector<runtime::RequestResult> results) override { stream_.close(results, results.size()); }

 private:
  struct Choice {
    ChatOutputParser parser;
    std::vector<tokenizer::TokenId> tokens;  // whose logprobs have not been sent yet
    std::vector<runtime::TokenLogprobs> logprobs;
    std::size_t tool_calls = 0;
  };

  void send_delta(std::size_t i, const ChatDelta& delta) {
    Choice& choice = choices_[i];
    if (delta.empty() && choice.tokens.empty()) return;
    Json out = Json::object();
    if (!delta.reasoning.empty()) out["reasoning_content"] = delta.reasoning;
    if (!delta.content.empty()) out["content"] = delta.content;
    if (!delta.tool_calls.empty()) {
      out["tool_calls"] = Json::array();
      for (const ParsedToolCall& call : delta.tool_calls) out["tool_calls"].push_back(tool_call_json(call, choice.tool_calls++));
    }
    Json logprobs = nullptr;
    if (shape_.logprobs) {
      logprobs = {{"content", chat_logprobs_content(context_->tokenizer, choice.tokens, choice.logprobs)}};
      choice.tokens.clear();
      choice.logprobs.clear();
    }
    stream_.send_choice(choice_json(i, std::move(out), std::move(logprobs), nullptr));
  }

  std::shared_ptr<ApiContext> context_;
  ChunkStream stream_;
  AnswerShape shape_;
  std::vector<Choice> choices_;
};

// One choice of a whole chat.completion.
Json message_choice(const ApiContext& context, AnswerShape shape, std::size_t index, const runtime::RequestResult& r) {
  ChatOutputParser parser(shape.reasoning, shape.tool_calls);
  ChatDelta answer = parser.feed(r.text);
  append(answer, parser.finish());
  Json message = {{"role", "assistant"}};
  // OpenAI's content is null for an answer that only calls tools.
  message["content"] = answer.content.empty() && !answer.tool_calls.empty() ? Json(nullptr) : Json(answer.content);
  if (shape.reasoning) message["reasoning_content"] = answer.reasoning.empty() ? Json(nullptr) : Json(answer.reasoning);
  if (!answer.tool_calls.empty()) {
    message["tool_calls"] = Json::array();
    for (const ParsedToolCall& call : answer.tool_calls) message["tool_calls"].push_back(tool_call_json(call, {}));
  }
  Json logprobs = nullptr;
  if (shape.logprobs) logprobs = {{"content", chat_logprobs_content(context.tokenizer, r.tokens, r.logprobs)}};
  return {{"index", index},
          {"message", std::move(message)},
          {"logprobs", std::move(logprobs)},
          {"finish_reason", finish_reason_text(r.finish, !answer.tool_calls.empty())}};
}

}  // namespace

std::vector<tokenizer::TokenId> render_chat_prompt(const ApiContext& context, const ChatCompletionRequest& chat) {
  try {
    return context.chat_template.encode(context.tokenizer, context.chat_template.render(chat.messages, chat.options));
  } catch (const Error& e) {
    throw ApiError(400, e.what(), "invalid_request_error", "messages");
  }
}

void handle_chat_completion(const std::shared_ptr<ApiContext>& context, const HttpRequest& request,
                            const std::shared_ptr<HttpResponder>& responder) {
  ChatCompletionRequest chat = parse_chat_completion_request(parse_json_body(request.body), context->config);
  const std::vector<tokenizer::TokenId> prompt = render_chat_prompt(*context, chat);
  GenerationRequest& generation = chat.generation;
  fit_to_context(generation, prompt.size(), "messages", context->config, context->engine.context_length());
  context->admit_generation();

  const AnswerShape shape{
      context->chat_template.family() == tokenizer::ChatFamily::kQwen3 && chat.options.enable_thinking != false,
      chat.parse_tool_calls, generation.params.logprobs.has_value()};
  std::vector<ChoicePlan> plans;
  for (std::size_t i = 0; i < generation.n; ++i) plans.push_back({prompt, generation.choice_params(i)});
  const std::string id = random_id("chatcmpl-");
  if (!generation.stream) {
    const Json head = response_head(id, "chat.completion", std::time(nullptr), context->config.model_name);
    start_choices(context, std::move(plans),
                  std::make_shared<WholeResponseSink>(responder, head, generation.n,
                                                      [context, shape](std::size_t i, const runtime::RequestResult& r) {
                                                        return message_choice(*context, shape, i, r);
                                                      }),
                  responder);
    return;
  }
  auto sink = std::make_shared<ChatStreamSink>(
      context, responder, response_head(id, "chat.completion.chunk", std::time(nullptr), context->config.model_name),
      shape, generation.n, generation.include_usage);
  try {
    start_choices(context, std::move(plans), sink, responder);
  } catch (const ApiError& e) {
    sink->abort(e);
  }
}

}  // namespace qwenrt::server
