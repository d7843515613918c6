#include "server/chunk_stream.h"

#include "server/openai_responses.h"

namespace qwenrt::server {

ChunkStream::ChunkStream(std::shared_ptr<HttpResponder> responder, Json head, bool include_usage)
    : responder_(std::move(responder)), head_(std::move(head)), include_usage_(include_usage) {
  responder_->start_event_stream();
}

void ChunkStream::send_choice(Json choice) {
  Json chunk = head_;
  chunk["choices"] = Json::array({std::move(choice)});
  // OpenAI marks every chunk but the last with a null usage when usage was asked for.
  if (include_usage_) chunk["usage"] = nullptr;
  responder_->send_event(to_json_text(chunk));
}

void ChunkStream::send_error(const ApiError& error) { responder_->send_event(api_error_body(error)); }

void ChunkStream::close(std::span<const runtime::RequestResult> results, std::size_t n) {
  if (include_usage_) {
    Json chunk = head_;
    chunk["choices"] = Json::array();
    chunk["usage"] = usage_json(total_usage(results, n));
    responder_->send_event(to_json_text(chunk));
  }
  end();
}

void ChunkStream::abort(const ApiError& error) {
  send_error(error);
  end();
}

void ChunkStream::end() {
  responder_->send_event("[DONE]");
  responder_->end_event_stream();
}

}  // namespace qwenrt::server
