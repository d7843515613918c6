#include "core/dtype.h"

#include <bit>
#include <cstring>

namespace qwenrt {

// Weight files store little-endian values and convert_to_float reads them with memcpy as they lie.
static_assert(std::endian::native == std::endian::little, "qwenrt reads little-endian tensors directly");

namespace {

constexpr std::uint32_t kF32SignMask = 0x80000000u;
constexpr std::uint32_t kF32AbsMask = 0x7FFFFFFFu;
constexpr std::uint32_t kF32Infinity = 0x7F800000u;

// Smallest float magnitudes that narrow to the F16 infinity (65520, halfway past the largest finite
// half 65504, rounds up because 65504's mantissa is odd) and to a normal F16 (2^-14).
constexpr std::uint32_t kF16OverflowThreshold = 0x477FF000u;
constexpr std::uint32_t kF16MinNormal = 0x38800000u;

// Shifts value right by shift bits, rounding to nearest with ties to even.
std::uint32_t shift_right_rne(std::uint32_t value, unsigned shift) {
  const std::uint32_t kept = value >> shift;
  const std::uint32_t dropped = value & ((1u << shift) - 1);
  const std::uint32_t half = 1u << (shift - 1);
  return kept + ((dropped > half || (dropped == half && (kept & 1))) ? 1 : 0);
}

}  // namespace

std::size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::kF32: return 4;
    case DType::kF16: return 2;
    case DType::kBF16: return 2;
  }
  return 0;
}

std::string_view dtype_name(DType dtype) {
  switch (dtype) {
    case DType::kF32: return "F32";
    case DType::kF16: return "F16";
    case DType::kBF16: return "BF16";
  }
  return "?";
}

float bf16_to_float(std::uint16_t bits) { return std::bit_cast<float>(std::uint32_t{bits} << 16); }

float f16_to_float(std::uint16_t bits) {
  const std::uint32_t sign = std::uint32_t{bits & 0x8000u} << 16;
  const std::uint32_t exponent = (bits >> 10) & 0x1Fu;
  std::uint32_t mantissa = bits & 0x3FFu;
  if (exponent == 0x1F) return std::bit_cast<float>(sign | kF32Infinity | (mantissa << 13));
  if (exponent != 0) return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
  if (mantissa == 0) return std::bit_cast<float>(sign);
  // A subnormal half is mantissa * 2^-24; every one of them is a normal float, so normalise it:
  // shift the leading 1 into the implicit-bit position and lower the exponent to match.
  std::uint32_t float_exponent = 113;
  while ((mantissa & 0x400u) == 0) {
    mantissa <<= 1;
    --float_exponent;
  }
  return std::bit_cast<float>(sign | (float_exponent << 23) | ((mantissa & 0x3FFu) << 13));
}

std::uint16_t float_to_bf16(float value) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(value);
  // Rounding a NaN's low half away could carry into the exponent or clear the mantissa (turning it
  // into infinity), so NaNs keep their top bits and are forced quiet instead.
  if ((bits & kF32AbsMask) > kF32Infinity) return static_cast<std::uint16_t>((bits >> 16) | 0x40u);
  const std::uint32_t lsb = (bits >> 16) & 1u;
  return static_cast<std::uint16_t>((bits + 0x7FFFu + lsb) >> 16);
}

std::uint16_t float_to_f16(float value) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(value);
  const auto sign = static_cast<std::uint16_t>((bits & kF32SignMask) >> 16);
  const std::uint32_t magnitude = bits & kF32AbsMask;
  if (magnitude > kF32Infinity) {
    return static_cast<std::uint16_t>(sign | 0x7E00u | ((magnitude >> 13) & 0x3FFu));
  }
  if (magnitude >= kF16OverflowThreshold) return static_cast<std::uint16_t>(sign | 0x7C00u);
  if (magnitude >= kF16MinNormal) {
    // Rebias the exponent (127 -> 15) and round the 13 dropped mantissa bits; a carry out of the
    // mantissa correctly bumps the exponent.
    const std::uint32_t rebiased = magnitude - (112u << 23);
    return static_cast<std::uint16_t>(sign | shift_right_rne(rebiased, 13));
  }
  // Subnormal result: the half's mantissa is the value in units of 2^-24. A float exponent field of
  // e puts the (implicit-1) significand at 2^(e-150), so the shift to those units is 126 - e. Past a
  // shift of 24 the value is below half the smallest subnormal and rounds to zero; float subnormals
  // are far below that too. Rounding up to 0x400 yields the smallest normal half, also correct.
  const std::uint32_t exponent = magnitude >> 23;
  if (exponent == 0 || 126 - exponent > 24) return sign;
  const std::uint32_t significand = (magnitude & 0x7FFFFFu) | 0x800000u;
  return static_cast<std::uint16_t>(sign | shift_right_rne(significand, 126 - exponent));
}

void convert_to_float(DType dtype, const std::byte* src, std::size_t count, float* dst) {
  if (count == 0) return;  // an empty destination may be a null pointer, which memcpy must not get
  switch (dtype) {
    case DType::kF32: std::memcpy(dst, src, count * sizeof(float)); return;
    case DType::kF16:
      for (std::size_t i = 0; i < count; ++i) {
        std::uint16_t bits;
        std::memcpy(&bits, src + 2 * i, 2);
        dst[i] = f16_to_float(bits);
      }
      return;
    case DType::kBF16:
      for (std::size_t i = 0; i < count; ++i) {
        std::uint16_t bits;
        std::memcpy(&bits, src + 2 * i, 2);
        dst[i] = bf16_to_float(bits);
      }
      return;
  }
}

}  // namespace qwenrt
