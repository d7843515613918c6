// The generation requests the API has in the engine, for graceful shutdown: how many choices are
// still generating, and a way to cancel them all once the drain deadline has passed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace qwenrt::server {

class InFlightRequests {
 public:
  // A request of choices choices starts; cancel ends them all. Returns its handle.
  std::uint64_t add(std::size_t choices, std::function<void()> cancel);
  // One of its choices has finished.
  void choice_done();
  // The request has finished, or was abandoned with its unfinished choices counted off.
  void remove(std::uint64_t handle, std::size_t unfinished_choices = 0);

  std::size_t choices() const;
  // Cancels every request in flight (they finish as cancelled, through their callbacks).
  void cancel_all();

 private:
  mutable std::mutex mutex_;
  std::map<std::uint64_t, std::function<void()>> cancels_;
  std::uint64_t next_handle_ = 0;
  std::size_t choices_ = 0;
};

}  // namespace qwenrt::server
