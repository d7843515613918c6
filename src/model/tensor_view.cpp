#include "model/tensor_view.h"

#include <utility>

#include "core/error.h"

namespace qwenrt::model {

std::string shape_string(const std::vector<std::size_t>& shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) out += str_cat(i == 0 ? "" : ", ", shape[i]);
  return out + "]";
}

TensorView slice_rows(const TensorView& tensor, std::size_t begin, std::size_t count, std::string name) {
  if (tensor.shape.empty() || begin > tensor.rows() || count > tensor.rows() - begin) {
    fail(tensor.name, ": rows [", begin, ", ", begin + count, ") are outside its shape ",
         shape_string(tensor.shape));
  }
  const std::size_t row_bytes = tensor.row_elements() * dtype_size(tensor.dtype);
  TensorView slice = tensor;
  slice.name = std::move(name);
  slice.shape[0] = count;
  slice.data = tensor.data + begin * row_bytes;
  slice.bytes = count * row_bytes;
  return slice;
}

void row_to_float(const TensorView& tensor, std::size_t row, std::span<float> out) {
  if (row >= tensor.rows()) {
    fail(tensor.name, ": row ", row, " is outside its shape ", shape_string(tensor.shape));
  }
  const std::size_t width = tensor.row_elements();
  if (out.size() != width) fail(tensor.name, ": rows have ", width, " elements, output holds ", out.size());
  convert_to_float(tensor.dtype, tensor.data + row * width * dtype_size(tensor.dtype), width, out.data());
}

std::vector<float> to_float(const TensorView& tensor) {
  std::vector<float> values(tensor.elements());
  convert_to_float(tensor.dtype, tensor.data, values.size(), values.data());
  return values;
}

}  // namespace qwenrt::model
