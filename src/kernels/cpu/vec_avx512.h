// The vector type of the AVX-512 kernel level (F, BW, VL, DQ): sixteen floats in a zmm register.
// Same static functions as ScalarOps (vec_scalar.h). Internal to kernels/cpu: included only by
// simd_kernels_avx512.cpp, inside its target pragma region.
#pragma once

#include <immintrin.h>

#include <cstddef>

#include "kernels/cpu/vec_avx2.h"
#include "kernels/cpu/vec_exp.h"

namespace qwenrt::cpu {
namespace {

struct Avx512Ops {
  static constexpr std::size_t kWidth = 16;
  using Reg = __m512;

  static __mmask16 lane_mask(std::size_t count) { return static_cast<__mmask16>((1u << count) - 1); }

  static Reg zero() { return _mm512_setzero_ps(); }
  static Reg set1(float value) { return _mm512_set1_ps(value); }
  static Reg load(const float* p) { return _mm512_loadu_ps(p); }
  static Reg load_partial(const float* p, std::size_t count) { return _mm512_maskz_loadu_ps(lane_mask(count), p); }
  static void store(float* p, Reg v) { _mm512_storeu_ps(p, v); }
  static void store_partial(float* p, Reg v, std::size_t count) { _mm512_mask_storeu_ps(p, lane_mask(count), v); }

  static Reg widen_bf16(__m256i bits) { return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(bits), 16)); }
  static __m256i load_halves(const std::byte* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static __m256i load_halves_partial(const std::byte* p, std::size_t count) {
    return _mm256_maskz_loadu_epi16(lane_mask(count), p);
  }
  static Reg load_bf16(const std::byte* p) { return widen_bf16(load_halves(p)); }
  static Reg load_bf16_partial(const std::byte* p, std::size_t count) { return widen_bf16(load_halves_partial(p, count)); }
  static Reg load_f16(const std::byte* p) { return _mm512_cvtph_ps(load_halves(p)); }
  static Reg load_f16_partial(const std::byte* p, std::size_t count) { return _mm512_cvtph_ps(load_halves_partial(p, count)); }

  // 16 int8 weight codes, and 16 int4 codes from 8 bytes (column 2c in the low nibble of byte c).
  static Reg load_i8(const std::byte* p) {
    return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
  }
  static Reg load_u4(const std::byte* p) {
    return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(Avx2Ops::unpack_nibbles(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)))));
  }

  static Reg add(Reg a, Reg b) { return _mm512_add_ps(a, b); }
  static Reg sub(Reg a, Reg b) { return _mm512_sub_ps(a, b); }
  static Reg mul(Reg a, Reg b) { return _mm512_mul_ps(a, b); }
  static Reg div(Reg a, Reg b) { return _mm512_div_ps(a, b); }
  static Reg max(Reg a, Reg b) { return _mm512_max_ps(a, b); }
  static Reg min(Reg a, Reg b) { return _mm512_min_ps(a, b); }
  static Reg fma(Reg a, Reg b, Reg c) { return _mm512_fmadd_ps(a, b, c); }

  static __m256 fold(Reg v) {
    return _mm256_add_ps(_mm512_castps512_ps256(v), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
  }
  static float reduce_add(Reg v) { return Avx2Ops::reduce_add(fold(v)); }
  static float reduce_max(Reg v) {
    const __m256 high = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
    return Avx2Ops::reduce_max(_mm256_max_ps(_mm512_castps512_ps256(v), high));
  }
  static void reduce_add4(Reg a, Reg b, Reg c, Reg d, float* out) {
    _mm_storeu_ps(out, Avx2Ops::reduce_add4_vector(fold(a), fold(b), fold(c), fold(d)));
  }

  static Reg round_nearest(Reg v) { return _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static Reg exp2_int(Reg n) {
    const __m512i biased = _mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127));
    return _mm512_castsi512_ps(_mm512_slli_epi32(biased, 23));
  }
  static Reg zero_where_below(Reg x, Reg limit, Reg value) {
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, limit, _CMP_NLT_UQ), value);
  }
  static Reg exp(Reg x) { return poly_exp<Avx512Ops>(x); }
};

}  // namespace
}  // namespace qwenrt::cpu
