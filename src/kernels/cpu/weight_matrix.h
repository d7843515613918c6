// A weight matrix as it lies in a safetensors file: row-major, in its stored element type, with no
// alignment guarantee, or as int8 / int4 codes with their scales (core/weight_quantization.h). Kernels
// read it in place (widening to float as they go), so it stays valid only as long as the memory it
// points into.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/dtype.h"
#include "core/weight_quantization.h"

namespace qwenrt::cpu {

struct WeightMatrix {
  DType dtype = DType::kF32;        // the element type of unquantized weights
  const std::byte* data = nullptr;  // rows * row_bytes() little-endian elements or codes
  std::size_t rows = 0;             // for a linear layer: output features (torch's weight.shape[0])
  std::size_t cols = 0;             // input features

  // Quantized weights: data holds the codes, scales one float per row and group (row-major, rows x
  // groups), zeros (int4 only) the zero point of each.
  WeightQuantization quantization = WeightQuantization::kNone;
  std::size_t group_size = 0;  // int4: columns per group
  const float* scales = nullptr;
  const std::uint8_t* zeros = nullptr;

  bool quantized() const { return quantization != WeightQuantization::kNone; }
  std::size_t row_bytes() const { return quantized() ? quantized_row_bytes(quantization, cols) : cols * dtype_size(dtype); }
  std::size_t row_groups() const { return quantized() ? quantized_row_groups(quantization, cols, group_size) : 0; }
};

}  // namespace qwenrt::cpu
