// A streamed response as OpenAI writes it: server-sent events each holding one chunk
// {id, object, created, model, choices: [one choice]}, then, when stream_options.include_usage asks,
// a chunk with empty choices and the usage, then "data: [DONE]". Chat and legacy completions differ
// only in the choices they put in.
#pragma once

#include <memory>
#include <span>

#include "runtime/request.h"
#include "server/api_error.h"
#include "server/http_exchange.h"
#include "server/request_fields.h"

namespace qwenrt::server {

class ChunkStream {
 public:
  // head: id, object ("chat.completion.chunk" or "text_completion"), created, model. Starts the stream.
  ChunkStream(std::shared_ptr<HttpResponder> responder, Json head, bool include_usage);

  void send_choice(Json choice);
  // An error event {"error": ...} in place of a choice's end (vLLM's way; the status cannot change now).
  void send_error(const ApiError& error);
  // The usage chunk when asked for, [DONE], and the end of the stream. n: choices per prompt.
  void close(std::span<const runtime::RequestResult> results, std::size_t n);
  // The request failed as a whole after the stream began: an error event, [DONE], the end.
  void abort(const ApiError& error);

 private:
  void end();

  std::shared_ptr<HttpResponder> responder_;
  Json head_;
  bool include_usage_;
};

}  // namespace qwenrt::server
