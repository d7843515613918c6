#include "server/openai_api.h"

#include <exception>

#include "server/api_context.h"
#include "server/chat_completion_handler.h"
#include "server/completion_handler.h"
#include "server/openai_responses.h"
#include "server/tokenize_handlers.h"

namespace qwenrt::server {
namespace {

using Handler = std::function<void(const std::shared_ptr<ApiContext>&, const HttpRequest&,
                                   const std::shared_ptr<HttpResponder>&)>;

// Every refusal becomes OpenAI's error body with its status; 429 tells the client when to retry.
HttpHandler guarded(const std::shared_ptr<ApiContext>& context, Handler handler) {
  return [context, handler = std::move(handler)](const HttpRequest& request, std::shared_ptr<HttpResponder> responder) {
    try {
      handler(context, request, responder);
    } catch (const ApiError& e) {
      HttpHeaders headers;
      if (e.status == 429) headers.emplace_back("Retry-After", "1");
      responder->respond(e.status, "application/json", api_error_body(e), std::move(headers));
    } catch (const std::exception& e) {
      responder->respond(500, "application/json", api_error_body(ApiError(500, e.what(), "server_error")));
    }
  };
}

void list_models(const ApiContext& context, HttpResponder& responder) {
  const Json model = {{"id", context.config.model_name},
                      {"object", "model"},
                      {"created", context.created},
                      {"owned_by", "qwenrt"},
                      {"root", context.config.model_name},
                      {"parent", nullptr},
                      {"max_model_len", context.engine.context_length()}};
  responder.respond(200, "application/json", to_json_text(Json{{"object", "list"}, {"data", Json::array({model})}}));
}

}  // namespace

struct OpenAiApi::State : ApiContext {
  using ApiContext::ApiContext;
};

OpenAiApi::OpenAiApi(runtime::LlmEngine& engine, const tokenizer::Tokenizer& tokenizer,
                     const tokenizer::ChatTemplate& chat_template, ApiConfig config)
    : state_(std::make_shared<State>(engine, tokenizer, chat_template, std::move(config))) {}

OpenAiApi::~OpenAiApi() = default;

std::vector<HttpRoute> OpenAiApi::routes() {
  const std::shared_ptr<ApiContext> context = state_;
  const auto plain = [](void (*handler)(const ApiContext&, const HttpRequest&, HttpResponder&)) -> Handler {
    return [handler](const std::shared_ptr<ApiContext>& c, const HttpRequest& r, const std::shared_ptr<HttpResponder>& out) {
      handler(*c, r, *out);
    };
  };
  return {
      {"POST", "/v1/chat/completions", guarded(context, handle_chat_completion)},
      {"POST", "/v1/completions", guarded(context, handle_completion)},
      {"GET", "/v1/models", guarded(context, plain([](const ApiContext& c, const HttpRequest&, HttpResponder& out) {
         list_models(c, out);
       }))},
      {"POST", "/tokenize", guarded(context, plain(handle_tokenize))},
      {"POST", "/detokenize", guarded(context, plain(handle_detokenize))},
      {"GET", "/health",
       guarded(context, plain([](const ApiContext& c, const HttpRequest&, HttpResponder& out) {
         // A load balancer stops sending requests once shutdown begins.
         if (!c.accepting) throw ApiError(503, "the server is shutting down", "server_error");
         out.respond(200, "text/plain; charset=utf-8", "");
       })),
       /*public_route=*/true},
      {"GET", "/metrics", guarded(context, plain([](const ApiContext& c, const HttpRequest&, HttpResponder& out) {
         out.respond(200, kPrometheusContentType, c.metrics.render(c.engine.stats()));
       }))},
  };
}

void OpenAiApi::stop_accepting() { state_->accepting = false; }

std::size_t OpenAiApi::in_flight() const { return state_->in_flight.choices(); }

void OpenAiApi::cancel_all() { state_->in_flight.cancel_all(); }

}  // namespace qwenrt::server
