// Reads one streamed OpenAI completion (text completions or chat) as it arrives and times it the way
// vLLM's benchmark client does: TTFT at the first chunk that carries text, an ITL gap at each later
// one, E2E at "data: [DONE]"; the output tokens from the final usage chunk (stream_options
// include_usage), else the number of text chunks. Anything else ends the request as failed, with the
// reason: a status other than 200 (and the server's error message), an error event, an event that is
// not JSON, a stream without "[DONE]".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "cli/bench/http_stream_client.h"
#include "cli/bench/request_report.h"
#include "cli/bench/sse_parser.h"

namespace qwenrt::bench {

class CompletionStream {
 public:
  using Clock = std::chrono::steady_clock;

  // sent_at: when the request left; chat: the events carry choices[0].delta.content, not .text.
  CompletionStream(Clock::time_point sent_at, std::size_t prompt_tokens, bool chat);

  // The next piece of the response body, read at read_at.
  void feed(const HttpResponseHead& head, std::string_view piece, Clock::time_point read_at);
  // The response has ended (head is its status line); what the request came to.
  RequestRecord finish(const HttpResponseHead& head);

 private:
  void take_event(const std::string& data, Clock::time_point read_at);
  double since_sent(Clock::time_point t) const { return std::chrono::duration<double>(t - sent_at_).count(); }

  Clock::time_point sent_at_;
  bool chat_;
  RequestRecord record_;
  SseParser parser_;
  std::string error_body_;  // the body of a response other than 200
  std::optional<Clock::time_point> last_text_;
  std::size_t text_chunks_ = 0;
  std::optional<std::size_t> usage_tokens_;
  bool done_ = false;
  std::string error_;
};

}  // namespace qwenrt::bench
