// Handlers that exercise the HTTP transport the way the API does: whole answers, event streams fed
// from another thread with pauses between events, answers that wait until cancelled or until the
// client goes away, handlers that throw or never answer.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/api_error.h"
#include "server/http_exchange.h"
#include "server/http_test_client.h"

namespace qwenrt::server::testing {

class TestRoutes {
 public:
  // GET /hello (public): "hello " + the query. POST /echo: the body back with its Content-Type.
  // GET /events?N: N events ("event 0", ...) 20 ms apart, then the end. GET /hang: a stream that sends
  // "started" and waits for end_all() or the client to go. GET /pending: waits the same way without an
  // answer at all. GET /teapot throws ApiError 418. GET /silent drops its responder unanswered.
  std::vector<HttpRoute> routes() {
    return {
        {"GET", "/hello", [](const HttpRequest& r, std::shared_ptr<HttpResponder> out) {
           out->respond(200, "text/plain", "hello " + r.query);
         }, true},
        {"POST", "/echo", [](const HttpRequest& r, std::shared_ptr<HttpResponder> out) {
           out->respond(200, std::string(r.header("Content-Type").value_or("")), r.body);
         }},
        {"GET", "/events", [this](const HttpRequest& r, std::shared_ptr<HttpResponder> out) {
           const int n = std::stoi(r.query);
           std::lock_guard lock(mutex_);
           pumps_.emplace_back([out, n] {
             out->start_event_stream();
             for (int i = 0; i < n; ++i) {
               std::this_thread::sleep_for(std::chrono::milliseconds(20));
               out->send_event("event " + std::to_string(i));
             }
             out->end_event_stream();
           });
         }},
        {"GET", "/hang", [this](const HttpRequest&, std::shared_ptr<HttpResponder> out) {
           out->start_event_stream();
           out->send_event("started");
           hold(std::move(out));
         }},
        {"GET", "/pending", [this](const HttpRequest&, std::shared_ptr<HttpResponder> out) { hold(std::move(out)); }},
        {"GET", "/teapot", [](const HttpRequest&, std::shared_ptr<HttpResponder>) {
           throw ApiError(418, "short and stout", "invalid_request_error", std::nullopt, "teapot");
         }},
        {"GET", "/silent", [](const HttpRequest&, std::shared_ptr<HttpResponder>) {}},
    };
  }

  // Requests of /hang and /pending neither ended nor disconnected.
  std::size_t in_flight() const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& h : held_) n += h.done ? 0 : 1;
    return n;
  }
  int disconnects() const { return disconnects_; }
  // Ends every held stream with a last "cancelled" event (what the API does on cancel_all).
  void end_all() {
    std::lock_guard lock(mutex_);
    for (auto& h : held_) {
      if (h.done) continue;
      h.done = true;
      h.out->send_event("cancelled");
      h.out->end_event_stream();
    }
  }
  std::shared_ptr<HttpResponder> held(std::size_t i) const {
    std::lock_guard lock(mutex_);
    return held_.at(i).out;
  }

 private:
  struct Held {
    std::shared_ptr<HttpResponder> out;
    bool done = false;
  };

  void hold(std::shared_ptr<HttpResponder> out) {
    std::size_t index;
    {
      std::lock_guard lock(mutex_);
      index = held_.size();
      held_.push_back({out, false});
    }
    out->on_disconnect([this, index] {
      ++disconnects_;
      std::lock_guard inner(mutex_);
      held_[index].done = true;
    });
  }

  mutable std::mutex mutex_;
  std::vector<Held> held_;
  std::atomic<int> disconnects_{0};
  std::vector<std::jthread> pumps_;  // joined first when destroyed (declared last)
};

}  // namespace qwenrt::server::testing
