// An owned, uninitialised float array on a 64-byte (cache line) boundary, for buffers that kernels
// stream through with vector loads.
#pragma once

#include <cstddef>
#include <memory>
#include <new>

namespace qwenrt::cpu {

class AlignedFloatBuffer {
 public:
  static constexpr std::size_t kAlignment = 64;

  AlignedFloatBuffer() = default;
  // Throws std::bad_alloc when the memory is not there.
  explicit AlignedFloatBuffer(std::size_t count)
      : data_(count == 0 ? nullptr
                         : static_cast<float*>(::operator new[](count * sizeof(float), std::align_val_t{kAlignment}))),
        size_(count) {}

  float* data() { return data_.get(); }
  const float* data() const { return data_.get(); }
  std::size_t size() const { return size_; }

 private:
  struct Free {
    void operator()(float* p) const { ::operator delete[](p, std::align_val_t{kAlignment}); }
  };
  std::unique_ptr<float[], Free> data_;
  std::size_t size_ = 0;
};

}  // namespace qwenrt::cpu
