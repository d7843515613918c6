#include "kernels/cuda/device_bandwidth.h"

#include <algorithm>

#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/device_buffer.h"

namespace qwenrt::cuda {

double measure_device_copy_bandwidth(int device, std::size_t buffer_bytes, int repeats) {
  QWENRT_CUDA_CHECK(cudaSetDevice(device));
  DeviceBuffer<std::byte> source(buffer_bytes), target(buffer_bytes);
  // Non-zero contents: copies of zeros have been seen to run faster than of real data.
  QWENRT_CUDA_CHECK(cudaMemset(source.data(), 0x5a, buffer_bytes));
  cudaEvent_t start = nullptr, stop = nullptr;
  QWENRT_CUDA_CHECK(cudaEventCreate(&start));
  QWENRT_CUDA_CHECK(cudaEventCreate(&stop));
  float best_ms = 0;
  try {
    QWENRT_CUDA_CHECK(cudaMemcpy(target.data(), source.data(), buffer_bytes, cudaMemcpyDeviceToDevice));
    for (int i = 0; i < repeats; ++i) {
      QWENRT_CUDA_CHECK(cudaEventRecord(start));
      QWENRT_CUDA_CHECK(cudaMemcpyAsync(target.data(), source.data(), buffer_bytes, cudaMemcpyDeviceToDevice));
      QWENRT_CUDA_CHECK(cudaEventRecord(stop));
      QWENRT_CUDA_CHECK(cudaEventSynchronize(stop));
      float ms = 0;
      QWENRT_CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
      best_ms = i == 0 ? ms : std::min(best_ms, ms);
    }
  } catch (...) {
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
    throw;
  }
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  return 2.0 * static_cast<double>(buffer_bytes) / (static_cast<double>(best_ms) * 1e-3);
}

}  // namespace qwenrt::cuda
