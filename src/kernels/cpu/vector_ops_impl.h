// The element-wise loops of the SimdKernels table (conversion, add, SwiGLU, the parts of RMSNorm and
// softmax), written once over a vector type V of vec_*.h. Internal to kernels/cpu: included only by
// the simd_kernels_*.cpp files.
#pragma once

#include <cstddef>
#include <cstring>
#include <limits>

#include "core/dtype.h"

namespace qwenrt::cpu {
namespace {

// Calls body(i, lanes) over [0, count) in steps of V::kWidth; only the last step may have fewer lanes.
template <typename V, typename Body>
inline void for_each_vector(std::size_t count, Body body) {
  std::size_t i = 0;
  for (; i + V::kWidth <= count; i += V::kWidth) body(i, V::kWidth);
  if (i < count) body(i, count - i);
}

template <typename V>
inline typename V::Reg load_lanes(const float* p, std::size_t lanes) {
  return lanes == V::kWidth ? V::load(p) : V::load_partial(p, lanes);
}

template <typename V>
inline void store_lanes(float* p, typename V::Reg v, std::size_t lanes) {
  if (lanes == V::kWidth) {
    V::store(p, v);
  } else {
    V::store_partial(p, v, lanes);
  }
}

template <typename V>
void convert_impl(DType dtype, const std::byte* src, std::size_t count, float* dst) {
  switch (dtype) {
    case DType::kF32:
      if (count > 0) std::memcpy(dst, src, count * sizeof(float));
      return;
    case DType::kBF16:
      for_each_vector<V>(count, [&](std::size_t i, std::size_t lanes) {
        const std::byte* p = src + 2 * i;
        store_lanes<V>(dst + i, lanes == V::kWidth ? V::load_bf16(p) : V::load_bf16_partial(p, lanes), lanes);
      });
      return;
    case DType::kF16:
      for_each_vector<V>(count, [&](std::size_t i, std::size_t lanes) {
        const std::byte* p = src + 2 * i;
        store_lanes<V>(dst + i, lanes == V::kWidth ? V::load_f16(p) : V::load_f16_partial(p, lanes), lanes);
      });
      return;
  }
}

template <typename V>
void add_impl(const float* a, const float* b, float* out, std::size_t count) {
  for_each_vector<V>(count, [&](std::size_t i, std::size_t lanes) {
    store_lanes<V>(out + i, V::add(load_lanes<V>(a + i, lanes), load_lanes<V>(b + i, lanes)), lanes);
  });
}

template <typename V>
void silu_mul_impl(const float* gate, const float* up, float* out, std::size_t count) {
  const typename V::Reg one = V::set1(1.0f);
  for_each_vector<V>(count, [&](std::size_t i, std::size_t lanes) {
    const typename V::Reg g = load_lanes<V>(gate + i, lanes);
    const typename V::Reg silu = V::div(g, V::add(one, V::exp(V::sub(V::zero(), g))));
    store_lanes<V>(out + i, V::mul(silu, load_lanes<V>(up + i, lanes)), lanes);
  });
}

template <typename V>
float sum_squares_impl(const float* x, std::size_t count) {
  typename V::Reg sum = V::zero();
  for_each_vector<V>(count, [&](std::size_t i, std::size_t lanes) {
    const typename V::Reg v = load_lanes<V>(x + i, lanes);
    sum = V::fma(v, v, sum);
  });
  return V::reduce_add(sum);
}

template <typename V>
void scale_mul_impl(const float* x, float scale, const float* weight, float* out, std::size_t count) {
  const typename V::Reg s = V::set1(scale);
  for_each_vector<V>(count, [&](std::size_t i, std::size_t lanes) {
    const typename V::Reg scaled = V::mul(load_lanes<V>(x + i, lanes), s);
    store_lanes<V>(out + i, V::mul(scaled, load_lanes<V>(weight + i, lanes)), lanes);
  });
}

template <typename V>
float max_impl(const float* x, std::size_t count) {
  // A partial load would bring in zeros, which must not win, so the tail is compared one by one.
  float best = -std::numeric_limits<float>::infinity();
  std::size_t i = 0;
  if (count >= V::kWidth) {
    typename V::Reg m = V::load(x);
    for (i = V::kWidth; i + V::kWidth <= count; i += V::kWidth) m = V::max(m, V::load(x + i));
    best = V::reduce_max(m);
  }
  for (; i < count; ++i) best = x[i] > best ? x[i] : best;
  return best;
}

template <typename V>
float exp_shifted_sum_impl(float* x, float shift, std::size_t count) {
  const typename V::Reg s = V::set1(shift);
  typename V::Reg sum = V::zero();
  float tail_sum = 0.0f;
  for_each_vector<V>(count, [&](std::size_t i, std::size_t lanes) {
    const typename V::Reg e = V::exp(V::sub(load_lanes<V>(x + i, lanes), s));
    store_lanes<V>(x + i, e, lanes);
    if (lanes == V::kWidth) {
      sum = V::add(sum, e);
    } else {
      // The lanes past the end hold exp(0 - shift), so the tail is summed from what was stored.
      for (std::size_t t = 0; t < lanes; ++t) tail_sum += x[i + t];
    }
  });
  return V::reduce_add(sum) + tail_sum;
}

template <typename V>
void scale_impl(float* x, float factor, std::size_t count) {
  const typename V::Reg f = V::set1(factor);
  for_each_vector<V>(count, [&](std::size_t i, std::size_t lanes) {
    store_lanes<V>(x + i, V::mul(load_lanes<V>(x + i, lanes), f), lanes);
  });
}

}  // namespace
}  // namespace qwenrt::cpu
