// The floating-point element types model weights come in, and exact conversions between them and
// float. BF16 and F16 are stored as raw 16-bit patterns so that loading never depends on compiler
// support for half-precision types.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace qwenrt {

enum class DType { kF32, kF16, kBF16 };

std::size_t dtype_size(DType dtype);
// The safetensors spelling: "F32", "F16", "BF16".
std::string_view dtype_name(DType dtype);

// Widening is exact for every pattern; NaN payloads keep their sign and top mantissa bits.
float bf16_to_float(std::uint16_t bits);
float f16_to_float(std::uint16_t bits);

// Narrowing rounds to nearest, ties to even (what PyTorch and CUDA do), overflows to infinity, and
// produces subnormals and signed zeros where the exact result calls for them. NaN stays a quiet NaN
// of the same sign.
std::uint16_t float_to_bf16(float value);
std::uint16_t float_to_f16(float value);

// Converts count elements stored at src (no alignment needed: tensors in a safetensors file start at
// arbitrary byte offsets) into dst.
void convert_to_float(DType dtype, const std::byte* src, std::size_t count, float* dst);

}  // namespace qwenrt
