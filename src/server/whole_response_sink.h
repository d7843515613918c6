// A response sent whole (stream false) once every choice has finished: the first failed choice's error,
// or {id, object, created, model, choices, usage}. Chat and legacy completions differ only in how they
// write one choice.
#pragma once

#include <functional>
#include <memory>

#include "server/choice_group.h"
#include "server/request_fields.h"

namespace qwenrt::server {

class WholeResponseSink : public ChoiceSink {
 public:
  using ChoiceWriter = std::function<Json(std::size_t index, const runtime::RequestResult& result)>;

  // n: choices per prompt (for usage).
  WholeResponseSink(std::shared_ptr<HttpResponder> responder, Json head, std::size_t n, ChoiceWriter write_choice);

  void on_update(std::size_t, const runtime::RequestUpdate&) override {}
  void on_finished(std::vector<runtime::RequestResult> results) override;

 private:
  std::shared_ptr<HttpResponder> responder_;
  Json head_;
  std::size_t n_;
  ChoiceWriter write_choice_;
};

}  // namespace qwenrt::server
