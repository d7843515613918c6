#include "server/completion_handler.h"

#include <ctime>

#include "server/choice_group.h"
#include "server/chunk_stream.h"
#include "server/completion_request.h"
#include "server/openai_responses.h"
#include "server/whole_response_sink.h"

namespace qwenrt::server {
namespace {

Json choice_json(std::size_t index, std::string_view text, Json logprobs, Json finish_reason) {
  return {{"index", index}, {"text", text}, {"logprobs", std::move(logprobs)}, {"finish_reason", std::move(finish_reason)}};
}

class CompletionStreamSink : public ChoiceSink {
 public:
  CompletionStreamSink(const std::shared_ptr<ApiContext>& context, std::shared_ptr<HttpResponder> responder, Json head,
                       std::size_t choices, std::size_t n, bool include_usage)
      : context_(context), stream_(std::move(responder), std::move(head), include_usage), text_offsets_(choices, 0), n_(n) {}

  void abort(const ApiError& error) { stream_.abort(error); }

  void on_update(std::size_t i, const runtime::RequestUpdate& update) override {
    Json logprobs = nullptr;
    if (update.token && update.logprobs) {
      logprobs = completion_logprobs(context_->tokenizer, std::span(&*update.token, 1), std::span(update.logprobs, 1),
                                     text_offsets_[i]);
    }
    if (!update.text.empty() || !logprobs.is_null()) stream_.send_choice(choice_json(i, update.text, logprobs, nullptr));
    if (update.result == nullptr) return;
    if (const std::optional<ApiError> failure = choice_failure(*update.result)) {
      stream_.send_error(*failure);
    } else {
      stream_.send_choice(choice_json(i, "", nullptr, finish_reason_text(update.result->finish, false)));
    }
  }

  void on_finished(std::vector<runtime::RequestResult> results) override { stream_.close(results, n_); }

 private:
  std::shared_ptr<ApiContext> context_;
  ChunkStream stream_;
  std::vector<std::size_t> text_offsets_;
  std::size_t n_;
};

}  // namespace

void handle_completion(const std::shared_ptr<ApiContext>& context, const HttpRequest& request,
                       const std::shared_ptr<HttpResponder>& responder) {
  CompletionRequest completion = parse_completion_request(parse_json_body(request.body), context->config,
                                                          context->tokenizer, context->tokenizer.vocab_size());
  GenerationRequest& generation = completion.generation;
  std::size_t longest = 0;
  for (const auto& prompt : completion.prompts) longest = std::max(longest, prompt.size());
  fit_to_context(generation, longest, "prompt", context->config, context->engine.context_length());
  context->admit_generation();

  std::vector<ChoicePlan> plans;
  for (const auto& prompt : completion.prompts) {
    for (std::size_t i = 0; i < generation.n; ++i) plans.push_back({prompt, generation.choice_params(plans.size())});
  }
  const std::size_t choices = plans.size();
  const Json head = response_head(random_id("cmpl-"), "text_completion", std::time(nullptr), context->config.model_name);
  if (!generation.stream) {
    const bool logprobs = generation.params.logprobs.has_value();
    const auto write_choice = [context, logprobs](std::size_t i, const runtime::RequestResult& r) {
      std::size_t offset = 0;
      return choice_json(i, r.text,
                         logprobs ? completion_logprobs(context->tokenizer, r.tokens, r.logprobs, offset) : Json(nullptr),
                         finish_reason_text(r.finish, false));
    };
    start_choices(context, std::move(plans),
                  std::make_shared<WholeResponseSink>(responder, head, generation.n, write_choice), responder);
    return;
  }
  auto sink = std::make_shared<CompletionStreamSink>(context, responder, head, choices, generation.n,
                                                     generation.include_usage);
  try {
    start_choices(context, std::move(plans), sink, responder);
  } catch (const ApiError& e) {
    sink->abort(e);
  }
}

}  // namespace qwenrt::server
