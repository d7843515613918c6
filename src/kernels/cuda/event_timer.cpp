#include "kernels/cuda/event_timer.h"

#include "kernels/cuda/cuda_check.h"

namespace qwenrt::cuda {

EventTimer::EventTimer() {
  QWENRT_CUDA_CHECK(cudaEventCreate(&start_));
  try {
    QWENRT_CUDA_CHECK(cudaEventCreate(&stop_));
  } catch (...) {
    cudaEventDestroy(start_);
    throw;
  }
}

EventTimer::~EventTimer() {
  cudaEventDestroy(stop_);
  cudaEventDestroy(start_);
}

void EventTimer::record_start() { QWENRT_CUDA_CHECK(cudaEventRecord(start_)); }

double EventTimer::record_stop_and_wait() {
  QWENRT_CUDA_CHECK(cudaEventRecord(stop_));
  QWENRT_CUDA_CHECK(cudaEventSynchronize(stop_));
  float ms = 0.0f;
  QWENRT_CUDA_CHECK(cudaEventElapsedTime(&ms, start_, stop_));
  return 1e-3 * static_cast<double>(ms);
}

}  // namespace qwenrt::cuda
