#include "server/open_connections.h"

namespace qwenrt::server {

void OpenConnections::add(const std::shared_ptr<HttpConnection>& connection) {
  std::lock_guard lock(mutex_);
  open_.emplace(connection.get(), connection);
}

void OpenConnections::remove(const HttpConnection* connection) {
  {
    std::lock_guard lock(mutex_);
    open_.erase(connection);
  }
  changed_.notify_all();
}

std::vector<std::shared_ptr<HttpConnection>> OpenConnections::all() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<HttpConnection>> alive;
  for (const auto& [key, weak] : open_) {
    if (auto connection = weak.lock()) alive.push_back(std::move(connection));
  }
  return alive;
}

std::size_t OpenConnections::count() const {
  std::lock_guard lock(mutex_);
  return open_.size();
}

bool OpenConnections::wait_until_none(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return open_.empty(); });
}

}  // namespace qwenrt::server
