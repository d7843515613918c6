#include "server/in_flight_requests.h"

#include <vector>

namespace qwenrt::server {

std::uint64_t InFlightRequests::add(std::size_t choices, std::function<void()> cancel) {
  const std::lock_guard lock(mutex_);
  choices_ += choices;
  cancels_.emplace(next_handle_, std::move(cancel));
  return next_handle_++;
}

void InFlightRequests::choice_done() {
  const std::lock_guard lock(mutex_);
  --choices_;
}

void InFlightRequests::remove(std::uint64_t handle, std::size_t unfinished_choices) {
  const std::lock_guard lock(mutex_);
  cancels_.erase(handle);
  choices_ -= unfinished_choices;
}

std::size_t InFlightRequests::choices() const {
  const std::lock_guard lock(mutex_);
  return choices_;
}

void InFlightRequests::cancel_all() {
  std::vector<std::function<void()>> cancels;
  {
    const std::lock_guard lock(mutex_);
    for (const auto& [handle, cancel] : cancels_) cancels.push_back(cancel);
  }
  // Outside the lock: a cancel may end a request whose callback removes it from here.
  for (const auto& cancel : cancels) cancel();
}

}  // namespace qwenrt::server
