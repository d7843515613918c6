// Test harness: an HttpResponder that records what a handler sends it (a whole response, or the events
// of a stream) and lets the test wait for the answer to be complete, or play a client that hangs up.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "server/http_exchange.h"

namespace qwenrt::server::testing {

class RecordingResponder : public HttpResponder {
 public:
  void respond(int status, std::string content_type, std::string body, HttpHeaders extra) override {
    const std::lock_guard lock(mutex_);
    ++answers_;
    status_ = status;
    content_type_ = std::move(content_type);
    body_ = std::move(body);
    headers_ = std::move(extra);
    complete_ = true;
    changed_.notify_all();
  }
  void start_event_stream() override {
    const std::lock_guard lock(mutex_);
    ++answers_;
    status_ = 200;
    streaming_ = true;
  }
  void send_event(std::string data) override {
    const std::lock_guard lock(mutex_);
    events_.push_back(std::move(data));
    changed_.notify_all();
  }
  void end_event_stream() override {
    const std::lock_guard lock(mutex_);
    complete_ = true;
    changed_.notify_all();
  }
  void on_disconnect(std::function<void()> callback) override {
    std::unique_lock lock(mutex_);
    if (disconnected_) {
      lock.unlock();
      callback();
      return;
    }
    on_disconnect_ = std::move(callback);
  }
  bool disconnected() const override {
    const std::lock_guard lock(mutex_);
    return disconnected_;
  }

  // The client hangs up.
  void disconnect() {
    std::function<void()> callback;
    {
      const std::lock_guard lock(mutex_);
      disconnected_ = true;
      callback = std::move(on_disconnect_);
    }
    if (callback) callback();
  }

  // Waits (at most a minute, so a hung handler fails rather than blocks) for a whole answer.
  bool wait_complete() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::minutes(1), [&] { return complete_; });
  }
  // Waits for at least count events.
  bool wait_events(std::size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::minutes(1), [&] { return events_.size() >= count || complete_; });
  }

  int status() const { const std::lock_guard lock(mutex_); return status_; }
  int answers() const { const std::lock_guard lock(mutex_); return answers_; }
  bool streaming() const { const std::lock_guard lock(mutex_); return streaming_; }
  std::string body() const { const std::lock_guard lock(mutex_); return body_; }
  std::string content_type() const { const std::lock_guard lock(mutex_); return content_type_; }
  HttpHeaders headers() const { const std::lock_guard lock(mutex_); return headers_; }
  std::vector<std::string> events() const { const std::lock_guard lock(mutex_); return events_; }
  nlohmann::json json() const { return nlohmann::json::parse(body()); }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  int answers_ = 0;
  int status_ = 0;
  bool streaming_ = false;
  bool complete_ = false;
  bool disconnected_ = false;
  std::string content_type_, body_;
  HttpHeaders headers_;
  std::vector<std::string> events_;
  std::function<void()> on_disconnect_;
};

}  // namespace qwenrt::server::testing
