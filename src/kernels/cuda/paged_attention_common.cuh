// Device helpers shared by the decode and prefill attention kernels. Device code only.
#pragma once

#include <cuda_bf16.h>

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/cuda/paged_attention.h"

namespace qwenrt::cuda::detail {

// The offset of (position, kv_head) of a sequence in the layer's key or value array.
__device__ __forceinline__ std::size_t cache_offset(const PagedKvView& cache, const std::int32_t* table,
                                                    int position, int kv_head) {
  const auto block = static_cast<std::size_t>(table[position / static_cast<int>(cache.block_size)]);
  const std::size_t slot = block * cache.block_size + static_cast<std::size_t>(position) % cache.block_size;
  return (slot * cache.num_kv_heads + kv_head) * cache.head_dim;
}

// The softmax scale of a query token: 1/sqrt(head_dim) rounded to float, times the token's own factor,
// in the CPU kernel's order.
__device__ __forceinline__ float query_scale(float base_scale, const float* query_scales, int token) {
  return query_scales == nullptr ? base_scale : base_scale * query_scales[token];
}

}  // namespace qwenrt::cuda::detail
