// The vector type of the AVX2 kernel level (AVX2 + FMA + F16C): eight floats in a ymm register.
// Same static functions as ScalarOps (vec_scalar.h). Internal to kernels/cpu: included only by
// simd_kernels_avx2.cpp and simd_kernels_avx512.cpp, inside their target pragma regions.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/cpu/vec_exp.h"

namespace qwenrt::cpu {
namespace {

struct Avx2Ops {
  static constexpr std::size_t kWidth = 8;
  using Reg = __m256;

  // Lanes [0, count) set, for the masked loads and stores of tails.
  static __m256i lane_mask(std::size_t count) {
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(count)), lanes);
  }

  static Reg zero() { return _mm256_setzero_ps(); }
  static Reg set1(float value) { return _mm256_set1_ps(value); }
  static Reg load(const float* p) { return _mm256_loadu_ps(p); }
  static Reg load_partial(const float* p, std::size_t count) { return _mm256_maskload_ps(p, lane_mask(count)); }
  static void store(float* p, Reg v) { _mm256_storeu_ps(p, v); }
  static void store_partial(float* p, Reg v, std::size_t count) { _mm256_maskstore_ps(p, lane_mask(count), v); }

  static Reg widen_bf16(__m128i bits) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(bits), 16));
  }
  // AVX2 has no 16-bit masked load, so tails go through a zeroed copy.
  static __m128i load_halves_partial(const std::byte* p, std::size_t count) {
    std::uint16_t tail[kWidth] = {};
    std::memcpy(tail, p, count * 2);
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(tail));
  }
  static Reg load_bf16(const std::byte* p) { return widen_bf16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }
  static Reg load_bf16_partial(const std::byte* p, std::size_t count) {
    return widen_bf16(load_halves_partial(p, count));
  }
  static Reg load_f16(const std::byte* p) { return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }
  static Reg load_f16_partial(const std::byte* p, std::size_t count) {
    return _mm256_cvtph_ps(load_halves_partial(p, count));
  }

  // The bytes of `bytes` (up to 8 in its low half) as their nibbles in column order, one a byte:
  // byte c's low nibble, then its high nibble.
  static __m128i unpack_nibbles(__m128i bytes) {
    const __m128i wide = _mm_cvtepu8_epi16(bytes);
    const __m128i low = _mm_and_si128(wide, _mm_set1_epi16(0x0F));
    const __m128i high = _mm_srli_epi16(wide, 4);
    return _mm_or_si128(low, _mm_slli_epi16(high, 8));
  }
  // 8 int8 weight codes, and 8 int4 codes from 4 bytes (column 2c in the low nibble of byte c).
  static Reg load_i8(const std::byte* p) {
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
  }
  static Reg load_u4(const std::byte* p) {
    std::int32_t four;
    std::memcpy(&four, p, 4);
    return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(unpack_nibbles(_mm_cvtsi32_si128(four))));
  }

  static Reg add(Reg a, Reg b) { return _mm256_add_ps(a, b); }
  static Reg sub(Reg a, Reg b) { return _mm256_sub_ps(a, b); }
  static Reg mul(Reg a, Reg b) { return _mm256_mul_ps(a, b); }
  static Reg div(Reg a, Reg b) { return _mm256_div_ps(a, b); }
  static Reg max(Reg a, Reg b) { return _mm256_max_ps(a, b); }
  static Reg min(Reg a, Reg b) { return _mm256_min_ps(a, b); }
  static Reg fma(Reg a, Reg b, Reg c) { return _mm256_fmadd_ps(a, b, c); }

  static float reduce128_add(__m128 v) {
    v = _mm_add_ps(v, _mm_movehl_ps(v, v));
    v = _mm_add_ss(v, _mm_movehdup_ps(v));
    return _mm_cvtss_f32(v);
  }
  static float reduce_add(Reg v) {
    return reduce128_add(_mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1)));
  }
  static float reduce_max(Reg v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
  }
  // Four sums at once: the horizontal adds pair the inputs up so that each step serves all four.
  static __m128 reduce_add4_vector(Reg a, Reg b, Reg c, Reg d) {
    const __m256 ab = _mm256_hadd_ps(a, b);
    const __m256 cd = _mm256_hadd_ps(c, d);
    const __m256 abcd = _mm256_hadd_ps(ab, cd);  // each 128-bit half holds a partial sum of a, b, c, d
    return _mm_add_ps(_mm256_castps256_ps128(abcd), _mm256_extractf128_ps(abcd, 1));
  }
  static void reduce_add4(Reg a, Reg b, Reg c, Reg d, float* out) {
    _mm_storeu_ps(out, reduce_add4_vector(a, b, c, d));
  }

  static Reg round_nearest(Reg v) { return _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  // 2^n for integral n in [-126, 127], built directly as a float's exponent field.
  static Reg exp2_int(Reg n) {
    const __m256i biased = _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127));
    return _mm256_castsi256_ps(_mm256_slli_epi32(biased, 23));
  }
  // value where x >= limit or x is NaN, 0 elsewhere.
  static Reg zero_where_below(Reg x, Reg limit, Reg value) {
    return _mm256_and_ps(_mm256_cmp_ps(x, limit, _CMP_NLT_UQ), value);
  }
  static Reg exp(Reg x) { return poly_exp<Avx2Ops>(x); }
};

}  // namespace
}  // namespace qwenrt::cpu
