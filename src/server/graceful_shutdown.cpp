#include "server/graceful_shutdown.h"

#include <thread>

namespace qwenrt::server {
namespace {

// in_flight() is a counter, not an event to wait on: polled at this period.
constexpr auto kPollPeriod = std::chrono::milliseconds(20);

// Waits until nothing is in flight; returns what still is when the timeout passes first.
std::size_t wait_for_in_flight(const InFlightWork& work, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t left = work.in_flight();
  while (left > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(kPollPeriod);
    left = work.in_flight();
  }
  return left;
}

double seconds(std::chrono::milliseconds d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

void shut_down_gracefully(HttpServer& server, const InFlightWork& work, ShutdownTimeouts timeouts, std::ostream& log) {
  server.stop_accepting();
  work.stop_accepting();
  const std::size_t running = work.in_flight();
  log << "qwenrt: shutting down: new connections and requests are refused; waiting up to "
      << seconds(timeouts.drain) << " s for " << running << " requests in flight" << std::endl;
  const std::size_t left = wait_for_in_flight(work, timeouts.drain);
  if (left > 0) {
    log << "qwenrt: cancelling the " << left << " requests still running" << std::endl;
    work.cancel_all();
    wait_for_in_flight(work, timeouts.flush);
  }
  log << "qwenrt: closing " << server.open_connections() << " connections once their answers are written"
      << std::endl;
  const bool flushed = server.close_connections(timeouts.flush);
  server.stop();
  log << "qwenrt: stopped" << (flushed ? "" : " (connections still busy were closed)") << std::endl;
}

}  // namespace qwenrt::server
