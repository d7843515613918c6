#include "core/error.h"
#include "kernels/cuda/block_reduce.cuh"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/dependent_launch.cuh"
#include "kernels/cuda/grid_stride.h"
#include "kernels/cuda/qkv_rotary.h"

namespace qwenrt::cuda {
namespace {

constexpr int kMaxHeadDim = 256;
constexpr int kPerLane = kMaxHeadDim / 32;
constexpr int kWarpsPerBlock = 4;

__global__ void rotary_angles_kernel(const std::int32_t* positions, const std::int32_t* token_sequence,
                                     const float* inv_freq, std::size_t tokens, std::size_t half, float* cos_out,
                                     float* sin_out) {
  detail::wait_for_prior_kernels();
  detail::allow_dependent_kernels();
  const std::size_t total = tokens * half;
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < total;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    const std::size_t t = i / half, k = i % half;
    const float angle = static_cast<float>(positions[t]) * inv_freq[static_cast<std::size_t>(token_sequence[t]) * half + k];
    cos_out[i] = static_cast<float>(cos(static_cast<double>(angle)));
    sin_out[i] = static_cast<float>(sin(static_cast<double>(angle)));
  }
}

// One warp per head vector of one token (blockIdx.x): the query heads, then the key heads, then the
// value heads. Lane l holds dimensions l, l + 32, ...; the rotation pairs dimensions half apart, which
// live in other lanes, so the vector passes through shared memory once.
__global__ void qkv_rotary_kernel(const float* qkv, QkvShape shape, QkvParams params, const std::int32_t* slots,
                                  float* q_out, __nv_bfloat16* key_cache, __nv_bfloat16* value_cache) {
  detail::wait_for_prior_kernels();
  detail::allow_dependent_kernels();
  __shared__ float staged[kWarpsPerBlock][kMaxHeadDim];
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  const std::size_t vector = blockIdx.y * static_cast<std::size_t>(kWarpsPerBlock) + warp;
  const std::size_t heads = shape.num_heads, kv_heads = shape.num_kv_heads;
  if (vector >= heads + 2 * kv_heads) return;
  const int dim = static_cast<int>(shape.head_dim);
  const std::size_t token = blockIdx.x;
  const std::size_t column = vector * dim;
  const float* src = qkv + token * (heads + 2 * kv_heads) * dim + column;

  float x[kPerLane];
#pragma unroll
  for (int j = 0; j < kPerLane; ++j) {
    const int d = lane + 32 * j;
    x[j] = 0.0f;
    if (d < dim) x[j] = src[d] + (params.bias != nullptr ? params.bias[column + d] : 0.0f);
  }

  const std::size_t kv_dim = kv_heads * dim;
  const std::size_t slot = static_cast<std::size_t>(slots[token]);
  if (vector >= heads + kv_heads) {
    __nv_bfloat16* dst = value_cache + slot * kv_dim + (vector - heads - kv_heads) * dim;
#pragma unroll
    for (int j = 0; j < kPerLane; ++j) {
      if (lane + 32 * j < dim) dst[lane + 32 * j] = __float2bfloat16(x[j]);
    }
    return;
  }

  const bool is_query = vector < heads;
  const float* norm = is_query ? params.q_norm : params.k_norm;
  if (norm != nullptr) {
    float squares = 0.0f;
#pragma unroll
    for (int j = 0; j < kPerLane; ++j) squares += x[j] * x[j];
    const float inverse = 1.0f / sqrtf(detail::warp_sum(squares) / static_cast<float>(dim) + params.eps);
#pragma unroll
    for (int j = 0; j < kPerLane; ++j) {
      if (lane + 32 * j < dim) x[j] = x[j] * inverse * norm[lane + 32 * j];
    }
  }

  const int half = static_cast<int>(shape.rotary_half);
  float* v = staged[warp];
#pragma unroll
  for (int j = 0; j < kPerLane; ++j) {
    if (lane + 32 * j < dim) v[lane + 32 * j] = x[j];
  }
  __syncwarp();
  const float* cos_row = params.cos + token * half;
  const float* sin_row = params.sin + token * half;
#pragma unroll
  for (int j = 0; j < kPerLane; ++j) {
    const int d = lane + 32 * j;
    if (d < half) {
      x[j] = v[d] * cos_row[d] - v[d + half] * sin_row[d];
    } else if (d < 2 * half) {
      x[j] = v[d] * cos_row[d - half] + v[d - half] * sin_row[d - half];
    }
  }

  if (is_query) {
    float* dst = q_out + (token * heads + vector) * dim;
#pragma unroll
    for (int j = 0; j < kPerLane; ++j) {
      if (lane + 32 * j < dim) dst[lane + 32 * j] = x[j];
    }
  } else {
    __nv_bfloat16* dst = key_cache + slot * kv_dim + (vector - heads) * dim;
#pragma unroll
    for (int j = 0; j < kPerLane; ++j) {
      if (lane + 32 * j < dim) dst[lane + 32 * j] = __float2bfloat16(x[j]);
    }
  }
}

}  // namespace

void rotary_angles(cudaStream_t stream, const std::int32_t* positions, const std::int32_t* token_sequence,
                   const float* inv_freq, std::size_t tokens, std::size_t half, float* cos, float* sin) {
  const std::size_t total = tokens * half;
  if (total == 0) return;
  constexpr unsigned kThreads = 256;
  detail::launch_dependent("rotary_angles_kernel", rotary_angles_kernel, grid_stride_blocks(total, kThreads), kThreads,
                           0, stream, positions, token_sequence, inv_freq, tokens, half, cos, sin);
}

void qkv_rotary_cache_write(cudaStream_t stream, const float* qkv, std::size_t tokens, const QkvShape& shape,
                            const QkvParams& params, const std::int32_t* slots, float* q,
                            __nv_bfloat16* key_cache, __nv_bfloat16* value_cache) {
  if (shape.head_dim == 0 || shape.head_dim > kMaxHeadDim) {
    fail("qkv_rotary_cache_write: head_dim ", shape.head_dim, " is not in 1..", kMaxHeadDim);
  }
  if (2 * shape.rotary_half > shape.head_dim) {
    fail("qkv_rotary_cache_write: rotary_dim ", 2 * shape.rotary_half, " exceeds head_dim ", shape.head_dim);
  }
  if (tokens == 0) return;
  const std::size_t vectors = shape.num_heads + 2 * shape.num_kv_heads;
  const dim3 grid(static_cast<unsigned>(tokens), static_cast<unsigned>((vectors + kWarpsPerBlock - 1) / kWarpsPerBlock));
  detail::launch_dependent("qkv_rotary_kernel", qkv_rotary_kernel, grid, 32 * kWarpsPerBlock, 0, stream, qkv, shape,
                           params, slots, q, key_cache, value_cache);
}

}  // namespace qwenrt::cuda
