// Owning handles of GPU memory (DeviceBuffer) and page-locked host memory (PinnedBuffer), the only
// two ways the CUDA backend allocates. Both are move-only, free their memory in the destructor, and
// report a failed allocation as an Error naming the size.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <span>
#include <utility>
#include <vector>

#include "core/error.h"
#include "kernels/cuda/cuda_check.h"

namespace qwenrt::cuda {

namespace detail {

// cudaMalloc / cudaMallocHost of count elements of elem_bytes, or Error naming what could not be had.
void* allocate_device(std::size_t count, std::size_t elem_bytes);
void* allocate_pinned(std::size_t count, std::size_t elem_bytes);
void free_device(void* p) noexcept;
void free_pinned(void* p) noexcept;

// The owning handle shared by both kinds of memory; Alloc/Free pick the kind.
template <typename T, void* (*Alloc)(std::size_t, std::size_t), void (*Free)(void*) noexcept>
class OwnedMemory {
 public:
  OwnedMemory() = default;
  explicit OwnedMemory(std::size_t count) : data_(count ? static_cast<T*>(Alloc(count, sizeof(T))) : nullptr), size_(count) {}
  ~OwnedMemory() { Free(data_); }
  OwnedMemory(OwnedMemory&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  OwnedMemory& operator=(OwnedMemory&& other) noexcept {
    if (this != &other) {
      Free(data_);
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  OwnedMemory(const OwnedMemory&) = delete;
  OwnedMemory& operator=(const OwnedMemory&) = delete;

  T* data() { return data_; }
  const T* data() const { return data_; }
  std::size_t size() const { return size_; }
  std::size_t bytes() const { return size_ * sizeof(T); }

  // Makes room for at least count elements. The old contents are dropped, not copied: buffers that
  // grow are per-step scratch, rewritten before every read.
  void ensure(std::size_t count) {
    if (count <= size_) return;
    Free(std::exchange(data_, nullptr));
    size_ = 0;
    data_ = static_cast<T*>(Alloc(count, sizeof(T)));
    size_ = count;
  }

 private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace detail

template <typename T>
using DeviceBuffer = detail::OwnedMemory<T, detail::allocate_device, detail::free_device>;
template <typename T>
using PinnedBuffer = detail::OwnedMemory<T, detail::allocate_pinned, detail::free_pinned>;

// Synchronous copies for setup code and tests (the forward pass uses its stream instead).
template <typename T>
DeviceBuffer<T> to_device(std::span<const T> host) {
  DeviceBuffer<T> buffer(host.size());
  if (!host.empty()) QWENRT_CUDA_CHECK(cudaMemcpy(buffer.data(), host.data(), host.size_bytes(), cudaMemcpyHostToDevice));
  return buffer;
}

template <typename T>
std::vector<T> to_host(const T* device, std::size_t count) {
  std::vector<T> host(count);
  if (count) QWENRT_CUDA_CHECK(cudaMemcpy(host.data(), device, count * sizeof(T), cudaMemcpyDeviceToHost));
  return host;
}

}  // namespace qwenrt::cuda
