// A weight matrix as it lies in a safetensors file: row-major, in its stored element type, with no
// alignment guarantee. Kernels read it in place (widening to float as they go), so it stays valid only
// as long as the memory it points into.
#pragma once

#include <cstddef>

#include "core/dtype.h"

namespace qwenrt::cpu {

struct WeightMatrix {
  DType dtype = DType::kF32;
  const std::byte* data = nullptr;  // rows * cols little-endian elements
  std::size_t rows = 0;             // for a linear layer: output features (torch's weight.shape[0])
  std::size_t cols = 0;             // input features

  std::size_t row_bytes() const { return cols * dtype_size(dtype); }
};

}  // namespace qwenrt::cpu
