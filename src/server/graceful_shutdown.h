// How `qwenrt serve` ends on SIGTERM or SIGINT without dropping answers: stop taking connections and
// requests, let the requests in flight finish for a while, cancel what is left (their clients still
// get a proper end), write out every answer, close, stop. One log line per phase.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <ostream>

#include "server/http_server.h"

namespace qwenrt::server {

// The work behind the routes, as shutdown sees it (OpenAiApi's stop_accepting, in_flight, cancel_all).
struct InFlightWork {
  std::function<void()> stop_accepting;  // new requests are refused from now on
  std::function<std::size_t()> in_flight;
  std::function<void()> cancel_all;
};

struct ShutdownTimeouts {
  std::chrono::milliseconds drain{std::chrono::seconds(30)};  // for the requests in flight to finish
  // For cancelled requests to end and every answer to be written out.
  std::chrono::milliseconds flush{std::chrono::seconds(10)};
};

void shut_down_gracefully(HttpServer& server, const InFlightWork& work, ShutdownTimeouts timeouts, std::ostream& log);

}  // namespace qwenrt::server
