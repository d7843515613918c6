// Sums and maxima across a warp and across a thread block, for the row-wise kernels. Device code only.
#pragma once

#include <cuda_runtime.h>

namespace qwenrt::cuda::detail {

template <typename T>
__device__ __forceinline__ T warp_sum(T v) {
  for (int offset = 16; offset > 0; offset /= 2) v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}

__device__ __forceinline__ float warp_max(float v) {
  for (int offset = 16; offset > 0; offset /= 2) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
  return v;
}

// The sum of v over the whole block, returned to every thread. blockDim.x must be a multiple of 32
// (at most 1024); scratch holds 32 values of shared memory and may be reused once this returns.
template <typename T>
__device__ __forceinline__ T block_sum(T v, T* scratch) {
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, warps = blockDim.x / 32;
  v = warp_sum(v);
  __syncthreads();  // scratch may still be read by a previous call
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  v = lane < warps ? scratch[lane] : T{};
  return warp_sum(v);
}

}  // namespace qwenrt::cuda::detail
