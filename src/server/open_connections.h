// The connections a server has open now, so that shutdown can drain them and wait for them to end.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace qwenrt::server {

class HttpConnection;

class OpenConnections {
 public:
  void add(const std::shared_ptr<HttpConnection>& connection);
  void remove(const HttpConnection* connection);
  // Those still alive, to act on each.
  std::vector<std::shared_ptr<HttpConnection>> all() const;
  std::size_t count() const;
  // True when none is open any more, false when the timeout passed first.
  bool wait_until_none(std::chrono::milliseconds timeout) const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::unordered_map<const HttpConnection*, std::weak_ptr<HttpConnection>> open_;
};

}  // namespace qwenrt::server
