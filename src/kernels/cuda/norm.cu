#include <algorithm>
#include <type_traits>

#include "core/error.h"
#include "kernels/cuda/alignment.h"
#include "kernels/cuda/bf16_pack.cuh"
#include "kernels/cuda/block_reduce.cuh"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/dependent_launch.cuh"
#include "kernels/cuda/norm.h"

namespace qwenrt::cuda {
namespace {

constexpr std::size_t kMaxThreads = 1024;
constexpr std::size_t kMaxDim = 16384;

// kWidth consecutive floats of a row, moved as one access where the row allows (4: 16 bytes).
template <int kWidth>
struct Floats {
  float v[kWidth];
};

template <int kWidth>
__device__ __forceinline__ Floats<kWidth> load(const float* p) {
  Floats<kWidth> f;
  if constexpr (kWidth == 4) {
    const float4 raw = *reinterpret_cast<const float4*>(p);
    f.v[0] = raw.x, f.v[1] = raw.y, f.v[2] = raw.z, f.v[3] = raw.w;
  } else {
    f.v[0] = *p;
  }
  return f;
}

template <int kWidth>
__device__ __forceinline__ void store(__nv_bfloat16* p, const Floats<kWidth>& f) {
  if constexpr (kWidth == 4) {
    *reinterpret_cast<uint2*>(p) = detail::pack_bf16x4(f.v[0], f.v[1], f.v[2], f.v[3]);
  } else {
    *p = __float2bfloat16(f.v[0]);
  }
}

// One block per row; thread t holds pieces t, t + blockDim, ... of kWidth floats in registers, so x
// is read once with all loads in flight together. A row of decoding is a single block: its time is
// the latency of one pass, not of a loop of loads.
template <int kWidth, int kPerThread>
__global__ void __launch_bounds__(kMaxThreads) rms_norm_kernel(const float* x, const float* weight, int dim, float eps,
                                                              __nv_bfloat16* out) {
  detail::wait_for_prior_kernels();
  detail::allow_dependent_kernels();
  __shared__ float scratch[32];
  const float* row = x + static_cast<std::size_t>(blockIdx.x) * dim;
  const int pieces = dim / kWidth;
  Floats<kWidth> v[kPerThread];
  float squares = 0.0f;
#pragma unroll
  for (int k = 0; k < kPerThread; ++k) {
    const int p = static_cast<int>(threadIdx.x) + k * static_cast<int>(blockDim.x);
    v[k] = p < pieces ? load<kWidth>(row + p * kWidth) : Floats<kWidth>{};
#pragma unroll
    for (int e = 0; e < kWidth; ++e) squares += v[k].v[e] * v[k].v[e];
  }
  const float mean = detail::block_sum(squares, scratch) / static_cast<float>(dim);
  const float inverse = 1.0f / sqrtf(mean + eps);
  __nv_bfloat16* dst = out + static_cast<std::size_t>(blockIdx.x) * dim;
#pragma unroll
  for (int k = 0; k < kPerThread; ++k) {
    const int p = static_cast<int>(threadIdx.x) + k * static_cast<int>(blockDim.x);
    if (p >= pieces) continue;
    const Floats<kWidth> w = load<kWidth>(weight + p * kWidth);
#pragma unroll
    for (int e = 0; e < kWidth; ++e) v[k].v[e] = v[k].v[e] * inverse * w.v[e];
    store<kWidth>(dst + p * kWidth, v[k]);
  }
}

// The fewest pieces per thread (of 1, 2, 4, 8, 16) that cover the row within the block size limit.
template <int kWidth>
void launch(cudaStream_t stream, const float* x, const float* weight, std::size_t rows, std::size_t dim, float eps,
            __nv_bfloat16* out) {
  const std::size_t pieces = dim / kWidth;
  const auto with = [&](auto per_thread) {
    constexpr int k = decltype(per_thread)::value;
    const auto threads = static_cast<unsigned>(std::min(kMaxThreads, ((pieces + k - 1) / k + 31) / 32 * 32));
    detail::launch_dependent("rms_norm_kernel", rms_norm_kernel<kWidth, k>, static_cast<unsigned>(rows), threads, 0,
                             stream, x, weight, static_cast<int>(dim), eps, out);
  };
  if (pieces <= kMaxThreads) {
    with(std::integral_constant<int, 1>{});
  } else if (pieces <= 2 * kMaxThreads) {
    with(std::integral_constant<int, 2>{});
  } else if (pieces <= 4 * kMaxThreads) {
    with(std::integral_constant<int, 4>{});
  } else if (pieces <= 8 * kMaxThreads) {
    with(std::integral_constant<int, 8>{});
  } else {
    with(std::integral_constant<int, 16>{});
  }
}

}  // namespace

void rms_norm(cudaStream_t stream, const float* x, const float* weight, std::size_t rows, std::size_t dim, float eps,
              __nv_bfloat16* out) {
  if (dim == 0 || dim > kMaxDim) fail("rms_norm: dim ", dim, " is not in 1..", kMaxDim);
  if (rows == 0) return;
  // Rows of whole 16-byte pieces (every row then starts aligned) take the vector loads.
  if (dim % 4 == 0 && aligned_to(x, 16) && aligned_to(weight, 16) && aligned_to(out, 8)) {
    launch<4>(stream, x, weight, rows, dim, eps, out);
  } else {
    launch<1>(stream, x, weight, rows, dim, eps, out);
  }
}

}  // namespace qwenrt::cuda
