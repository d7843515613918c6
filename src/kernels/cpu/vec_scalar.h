// The portable vector type of the scalar kernel level: four floats in plain arrays, which baseline
// compilers turn into SSE2 (x86-64) or NEON code. It also defines what every vector type must offer;
// vec_avx2.h and vec_avx512.h implement the same static functions with intrinsics.
// Internal to kernels/cpu: included only by the simd_kernels_*.cpp files.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/dtype.h"
#include "core/weight_quantization.h"

namespace qwenrt::cpu {
namespace {

struct ScalarOps {
  static constexpr std::size_t kWidth = 4;
  struct Reg {
    float lane[kWidth];
  };

  static Reg zero() { return Reg{}; }
  static Reg set1(float value) { return Reg{{value, value, value, value}}; }

  static Reg load(const float* p) {
    Reg r;
    std::memcpy(r.lane, p, sizeof(r.lane));
    return r;
  }
  // count < kWidth; the lanes past count are zero.
  static Reg load_partial(const float* p, std::size_t count) {
    Reg r{};
    std::memcpy(r.lane, p, count * sizeof(float));
    return r;
  }
  static void store(float* p, Reg v) { std::memcpy(p, v.lane, sizeof(v.lane)); }
  static void store_partial(float* p, Reg v, std::size_t count) { std::memcpy(p, v.lane, count * sizeof(float)); }

  // Weights in a safetensors file have no alignment, hence memcpy for every 16-bit element.
  static Reg load_bf16_partial(const std::byte* p, std::size_t count) {
    Reg r{};
    for (std::size_t i = 0; i < count; ++i) {
      std::uint16_t bits;
      std::memcpy(&bits, p + 2 * i, 2);
      const std::uint32_t wide = std::uint32_t{bits} << 16;
      std::memcpy(&r.lane[i], &wide, 4);
    }
    return r;
  }
  static Reg load_bf16(const std::byte* p) { return load_bf16_partial(p, kWidth); }
  static Reg load_f16_partial(const std::byte* p, std::size_t count) {
    Reg r{};
    for (std::size_t i = 0; i < count; ++i) {
      std::uint16_t bits;
      std::memcpy(&bits, p + 2 * i, 2);
      r.lane[i] = f16_to_float(bits);
    }
    return r;
  }
  static Reg load_f16(const std::byte* p) { return load_f16_partial(p, kWidth); }
  // 4 int8 weight codes, and 4 int4 codes from 2 bytes (column 2c in the low nibble of byte c).
  static Reg load_i8(const std::byte* p) {
    Reg r;
    for (std::size_t i = 0; i < kWidth; ++i) r.lane[i] = static_cast<float>(static_cast<std::int8_t>(p[i]));
    return r;
  }
  static Reg load_u4(const std::byte* p) {
    Reg r;
    for (std::size_t i = 0; i < kWidth; ++i) r.lane[i] = int4_code(reinterpret_cast<const std::uint8_t*>(p), i);
    return r;
  }

  template <typename Op>
  static Reg map2(Reg a, Reg b, Op op) {
    Reg r;
    for (std::size_t i = 0; i < kWidth; ++i) r.lane[i] = op(a.lane[i], b.lane[i]);
    return r;
  }
  static Reg add(Reg a, Reg b) { return map2(a, b, [](float x, float y) { return x + y; }); }
  static Reg sub(Reg a, Reg b) { return map2(a, b, [](float x, float y) { return x - y; }); }
  static Reg mul(Reg a, Reg b) { return map2(a, b, [](float x, float y) { return x * y; }); }
  static Reg div(Reg a, Reg b) { return map2(a, b, [](float x, float y) { return x / y; }); }
  // Like x86 maxps/minps: when either is NaN the second operand comes back.
  static Reg max(Reg a, Reg b) { return map2(a, b, [](float x, float y) { return x > y ? x : y; }); }
  static Reg min(Reg a, Reg b) { return map2(a, b, [](float x, float y) { return x < y ? x : y; }); }
  // a * b + c. Without hardware FMA std::fma is a slow library call, so this rounds twice.
  static Reg fma(Reg a, Reg b, Reg c) {
    Reg r;
    for (std::size_t i = 0; i < kWidth; ++i) r.lane[i] = a.lane[i] * b.lane[i] + c.lane[i];
    return r;
  }

  static float reduce_add(Reg v) { return (v.lane[0] + v.lane[1]) + (v.lane[2] + v.lane[3]); }
  static float reduce_max(Reg v) {
    const float low = v.lane[0] > v.lane[1] ? v.lane[0] : v.lane[1];
    const float high = v.lane[2] > v.lane[3] ? v.lane[2] : v.lane[3];
    return low > high ? low : high;
  }
  // out[i] = the lane sum of the i-th argument.
  static void reduce_add4(Reg a, Reg b, Reg c, Reg d, float* out) {
    out[0] = reduce_add(a);
    out[1] = reduce_add(b);
    out[2] = reduce_add(c);
    out[3] = reduce_add(d);
  }

  static Reg exp(Reg x) {
    Reg r;
    for (std::size_t i = 0; i < kWidth; ++i) r.lane[i] = std::exp(x.lane[i]);
    return r;
  }
};

}  // namespace
}  // namespace qwenrt::cpu
