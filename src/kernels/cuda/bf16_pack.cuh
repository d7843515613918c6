// Floats rounded to bf16 and packed for one store or one mma operand register. Device code only.
#pragma once

#include <cuda_bf16.h>

namespace qwenrt::cuda::detail {

// Two floats as a bf16 pair in one register (the first in the low half).
__device__ __forceinline__ unsigned pack_bf16(float lo, float hi) {
  const __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);
  return *reinterpret_cast<const unsigned*>(&v);
}

// Four floats as four consecutive bf16: one 8-byte store.
__device__ __forceinline__ uint2 pack_bf16x4(float a, float b, float c, float d) {
  return make_uint2(pack_bf16(a, b), pack_bf16(c, d));
}

}  // namespace qwenrt::cuda::detail
