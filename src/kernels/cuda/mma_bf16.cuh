// The tensor-core pieces the attention kernels share: ldmatrix loads of 8x8 bf16 tiles from shared
// memory, the m16n8k16 bf16 matrix product with float accumulators, and asynchronous 16-byte copies
// from global to shared memory. Available from sm_80 on. Device code only.
#pragma once

#include <cuda_bf16.h>

#include <cmath>

#include "kernels/cuda/bf16_pack.cuh"

namespace qwenrt::cuda::detail {

__device__ __forceinline__ unsigned shared_address(const void* p) {
  return static_cast<unsigned>(__cvta_generic_to_shared(p));
}

// Four 8x8 tiles; lanes 8i..8i+7 give the row addresses of tile i, and r[i] gets this lane's part of
// tile i in the mma operand layout (row lane / 4, columns 2 (lane % 4) and the next).
__device__ __forceinline__ void ldmatrix_x4(unsigned (&r)[4], const void* p) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(shared_address(p)));
}

// The same with each tile transposed on the way.
__device__ __forceinline__ void ldmatrix_x4_trans(unsigned (&r)[4], const void* p) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(shared_address(p)));
}

// d += a b for a 16x16 bf16 tile a (row-major fragments), a 16x8 bf16 tile b (column-major), float d.
__device__ __forceinline__ void mma_bf16(float (&d)[4], const unsigned (&a)[4], unsigned b0, unsigned b1) {
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
      "{%0, %1, %2, %3};"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// Folds one step of attention scores into a row tile's running softmax: score holds kTiles m16n8
// accumulator tiles (this lane's two rows, lane / 4 and lane / 4 + 8, at [n][0..1] and [n][2..3]),
// masked entries already -inf. The scores become probabilities relative to the rows' new maxima, and
// scale[h] is what row h's earlier outputs must be multiplied by. running_sum is this lane's share
// (the four lanes of a row add theirs at the end). A row with no visible key yet keeps max -inf;
// subtracting 0 then gives probabilities e^-inf = 0 instead of NaN.
template <int kTiles>
__device__ __forceinline__ void online_softmax_step(float (&score)[kTiles][4], float (&running_max)[2],
                                                    float (&running_sum)[2], float (&scale)[2]) {
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    float step_max = -INFINITY;
#pragma unroll
    for (int n = 0; n < kTiles; ++n) step_max = fmaxf(step_max, fmaxf(score[n][2 * h], score[n][2 * h + 1]));
    step_max = fmaxf(step_max, __shfl_xor_sync(0xffffffffu, step_max, 1));
    step_max = fmaxf(step_max, __shfl_xor_sync(0xffffffffu, step_max, 2));
    const float new_max = fmaxf(running_max[h], step_max);
    const float reference = new_max == -INFINITY ? 0.0f : new_max;
    scale[h] = expf(running_max[h] - reference);
    running_max[h] = new_max;
    float step_sum = 0.0f;
#pragma unroll
    for (int n = 0; n < kTiles; ++n) {
#pragma unroll
      for (int e = 0; e < 2; ++e) {
        score[n][2 * h + e] = expf(score[n][2 * h + e] - reference);
        step_sum += score[n][2 * h + e];
      }
    }
    running_sum[h] = running_sum[h] * scale[h] + step_sum;
  }
}

// Multiplies the two rows of each output tile by their scale from online_softmax_step.
template <int kTiles>
__device__ __forceinline__ void rescale_rows(float (&out)[kTiles][4], const float (&scale)[2]) {
#pragma unroll
  for (int n = 0; n < kTiles; ++n) {
    out[n][0] *= scale[0];
    out[n][1] *= scale[0];
    out[n][2] *= scale[1];
    out[n][3] *= scale[1];
  }
}

// The probabilities of score tiles 2k and 2k + 1 (16 keys) as the A operand of the next product.
template <int kTiles>
__device__ __forceinline__ void probability_fragment(const float (&score)[kTiles][4], int k, unsigned (&a)[4]) {
  a[0] = pack_bf16(score[2 * k][0], score[2 * k][1]);
  a[1] = pack_bf16(score[2 * k][2], score[2 * k][3]);
  a[2] = pack_bf16(score[2 * k + 1][0], score[2 * k + 1][1]);
  a[3] = pack_bf16(score[2 * k + 1][2], score[2 * k + 1][3]);
}

// Starts copying 16 bytes from global src to shared dst, or zeros when !valid (src is not read then).
__device__ __forceinline__ void copy_async_16(void* dst, const void* src, bool valid) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;" ::"r"(shared_address(dst)), "l"(src),
               "r"(valid ? 16 : 0));
}

__device__ __forceinline__ void copy_async_commit() { asm volatile("cp.async.commit_group;"); }

// Waits until at most pending groups of this thread's copies are still in flight.
template <int pending>
__device__ __forceinline__ void copy_async_wait() {
  asm volatile("cp.async.wait_group %0;" ::"n"(pending));
}

}  // namespace qwenrt::cuda::detail
