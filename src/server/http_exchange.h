// The seam between the HTTP transport (http_server.*) and what answers requests (the OpenAI API, the
// web page, health and metrics): a parsed request, and a responder a handler may keep and answer
// through from any thread, at once or later, whole or as a stream of server-sent events.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace qwenrt::server {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // the target without its query, e.g. "/v1/chat/completions"
  std::string query;   // after '?', without it; empty when none
  HttpHeaders headers;
  std::string body;

  // The first header of that name, compared without regard to case.
  std::optional<std::string_view> header(std::string_view name) const;
};

// How a handler answers. Every method may be called from any thread (the engine thread streams
// through it) and never blocks on the network: writes are queued on the connection. A handler answers
// exactly once: with respond(), or with start_event_stream(), any number of send_event() and then
// end_event_stream(). After the client has gone, calls are accepted and dropped.
class HttpResponder {
 public:
  virtual ~HttpResponder() = default;

  virtual void respond(int status, std::string content_type, std::string body, HttpHeaders extra = {}) = 0;

  // 200, Content-Type text/event-stream, no caching; the body follows in events.
  virtual void start_event_stream() = 0;
  // Writes one event: "data: " + data + "\n\n" (data must hold no newline).
  virtual void send_event(std::string data) = 0;
  virtual void end_event_stream() = 0;

  // callback runs once, on a server thread, when the client disconnects before the answer is
  // complete (at once if it already has). It must not block; cancelling a request is its purpose.
  virtual void on_disconnect(std::function<void()> callback) = 0;
  virtual bool disconnected() const = 0;
};

using HttpHandler = std::function<void(const HttpRequest&, std::shared_ptr<HttpResponder>)>;

struct HttpRoute {
  std::string method;
  std::string path;     // exact match
  HttpHandler handler;
  bool public_route = false;  // reachable without the API key (/health, the web page)
};

}  // namespace qwenrt::server
