#include "server/whole_response_sink.h"

#include "server/openai_responses.h"

namespace qwenrt::server {

WholeResponseSink::WholeResponseSink(std::shared_ptr<HttpResponder> responder, Json head, std::size_t n,
                                     ChoiceWriter write_choice)
    : responder_(std::move(responder)), head_(std::move(head)), n_(n), write_choice_(std::move(write_choice)) {}

void WholeResponseSink::on_finished(std::vector<runtime::RequestResult> results) {
  Json body = head_;
  body["choices"] = Json::array();
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (const std::optional<ApiError> failure = choice_failure(results[i])) {
      responder_->respond(failure->status, "application/json", api_error_body(*failure));
      return;
    }
    body["choices"].push_back(write_choice_(i, results[i]));
  }
  body["usage"] = usage_json(total_usage(results, n_));
  responder_->respond(200, "application/json", to_json_text(body));
}

}  // namespace qwenrt::server
