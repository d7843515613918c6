#include "kernels/cuda/device_bandwidth.h"

#include <algorithm>

#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/device_buffer.h"
#include "kernels/cuda/event_timer.h"

namespace qwenrt::cuda {

double measure_device_copy_bandwidth(int device, std::size_t buffer_bytes, int repeats) {
  QWENRT_CUDA_CHECK(cudaSetDevice(device));
  DeviceBuffer<std::byte> source(buffer_bytes), target(buffer_bytes);
  // Non-zero contents: copies of zeros have been seen to run faster than of real data.
  QWENRT_CUDA_CHECK(cudaMemset(source.data(), 0x5a, buffer_bytes));
  QWENRT_CUDA_CHECK(cudaMemcpy(target.data(), source.data(), buffer_bytes, cudaMemcpyDeviceToDevice));
  EventTimer timer;
  double best_seconds = 0.0;
  for (int i = 0; i < repeats; ++i) {
    const double seconds = timer.seconds([&] {
      QWENRT_CUDA_CHECK(cudaMemcpyAsync(target.data(), source.data(), buffer_bytes, cudaMemcpyDeviceToDevice));
    });
    best_seconds = i == 0 ? seconds : std::min(best_seconds, seconds);
  }
  return 2.0 * static_cast<double>(buffer_bytes) / best_seconds;
}

}  // namespace qwenrt::cuda
