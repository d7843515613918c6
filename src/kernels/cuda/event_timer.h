// GPU time of work queued on the default stream, from a pair of CUDA events recorded around it: what
// the benchmarks and the copy-rate measurement time with, the events made once and freed however the
// timing ends.
#pragma once

#include <cuda_runtime.h>

namespace qwenrt::cuda {

class EventTimer {
 public:
  // Throws Error when the events cannot be made.
  EventTimer();
  ~EventTimer();
  EventTimer(const EventTimer&) = delete;
  EventTimer& operator=(const EventTimer&) = delete;

  // Seconds the GPU took for what queue() puts on the default stream; waits for it to finish.
  // Throws Error for a failed CUDA call (and whatever queue() throws).
  template <typename Queue>
  double seconds(Queue&& queue) {
    record_start();
    queue();
    return record_stop_and_wait();
  }

 private:
  void record_start();
  double record_stop_and_wait();

  cudaEvent_t start_ = nullptr;
  cudaEvent_t stop_ = nullptr;
};

}  // namespace qwenrt::cuda
