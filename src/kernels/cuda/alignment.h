// Whether a pointer may take the vector loads and stores the kernels use where they can (8 or 16
// bytes at a time).
#pragma once

#include <cstddef>
#include <cstdint>

namespace qwenrt::cuda {

inline bool aligned_to(const void* p, std::size_t bytes) { return reinterpret_cast<std::uintptr_t>(p) % bytes == 0; }

}  // namespace qwenrt::cuda
