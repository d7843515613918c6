// A read-only view of one tensor inside a mapped checkpoint file: no copy is made, so a view is
// valid only while the SafetensorsFile (or SafetensorsCheckpoint) it came from is alive.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "core/dtype.h"

namespace qwenrt::model {

struct TensorView {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<std::size_t> shape;
  const std::byte* data = nullptr;  // little-endian elements, row-major, no alignment guarantee
  std::size_t bytes = 0;

  std::size_t elements() const { return bytes / dtype_size(dtype); }
  // Rows are the first dimension; a 1-D tensor is one row per element, a scalar one row.
  std::size_t rows() const { return shape.empty() ? 1 : shape[0]; }
  std::size_t row_elements() const { return rows() == 0 ? 0 : elements() / rows(); }
};

// "[151936, 896]".
std::string shape_string(const std::vector<std::size_t>& shape);

// Rows [begin, begin + count) of a tensor as a view of the same bytes, named name.
// Throws Error when the range runs past the tensor's rows.
TensorView slice_rows(const TensorView& tensor, std::size_t begin, std::size_t count, std::string name);

// Converts row `row` to float into out, which must hold row_elements() values. Throws Error naming the
// tensor when row or out's size is wrong.
void row_to_float(const TensorView& tensor, std::size_t row, std::span<float> out);

// The whole tensor as float.
std::vector<float> to_float(const TensorView& tensor);

}  // namespace qwenrt::model
