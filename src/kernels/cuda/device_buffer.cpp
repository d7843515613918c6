#include "kernels/cuda/device_buffer.h"

#include <limits>

namespace qwenrt::cuda::detail {
namespace {

std::size_t checked_bytes(std::size_t count, std::size_t elem_bytes, const char* kind) {
  if (count > std::numeric_limits<std::size_t>::max() / elem_bytes) fail(kind, ": ", count, " elements overflow");
  return count * elem_bytes;
}

}  // namespace

void* allocate_device(std::size_t count, std::size_t elem_bytes) {
  const std::size_t bytes = checked_bytes(count, elem_bytes, "device memory");
  void* p = nullptr;
  const cudaError_t status = cudaMalloc(&p, bytes);
  if (status != cudaSuccess) {
    cudaGetLastError();  // an out-of-memory error is not sticky; clear it so later calls start clean
    fail("CUDA: cannot allocate ", bytes, " bytes of device memory (", cudaGetErrorString(status), ")");
  }
  return p;
}

void* allocate_pinned(std::size_t count, std::size_t elem_bytes) {
  const std::size_t bytes = checked_bytes(count, elem_bytes, "pinned memory");
  void* p = nullptr;
  const cudaError_t status = cudaMallocHost(&p, bytes);
  if (status != cudaSuccess) {
    cudaGetLastError();
    fail("CUDA: cannot allocate ", bytes, " bytes of page-locked host memory (", cudaGetErrorString(status), ")");
  }
  return p;
}

void free_device(void* p) noexcept {
  if (p != nullptr) cudaFree(p);
}

void free_pinned(void* p) noexcept {
  if (p != nullptr) cudaFreeHost(p);
}

}  // namespace qwenrt::cuda::detail
