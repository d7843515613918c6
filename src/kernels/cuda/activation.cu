#include "kernels/cuda/activation.h"
#include "kernels/cuda/alignment.h"
#include "kernels/cuda/bf16_pack.cuh"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/dependent_launch.cuh"
#include "kernels/cuda/grid_stride.h"

namespace qwenrt::cuda {
namespace {

constexpr unsigned kThreads = 256;

__device__ __forceinline__ float silu_times(float gate, float up) { return gate / (1.0f + expf(-gate)) * up; }

// Output i depends on input pair i alone, so rows need not be told apart: the rows x width outputs
// are one flat array. Each thread makes four outputs from one 16-byte load of four pairs.
__global__ void silu_mul_x4_kernel(const __nv_bfloat16* gate_up, std::size_t quads, __nv_bfloat16* out) {
  detail::wait_for_prior_kernels();
  detail::allow_dependent_kernels();
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < quads;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    const uint4 raw = reinterpret_cast<const uint4*>(gate_up)[i];
    const auto* pairs = reinterpret_cast<const __nv_bfloat162*>(&raw);
    float r[4];
#pragma unroll
    for (int k = 0; k < 4; ++k) {
      const float2 f = __bfloat1622float2(pairs[k]);
      r[k] = silu_times(f.x, f.y);
    }
    reinterpret_cast<uint2*>(out)[i] = detail::pack_bf16x4(r[0], r[1], r[2], r[3]);
  }
}

__global__ void silu_mul_kernel(const __nv_bfloat16* gate_up, std::size_t begin, std::size_t end, __nv_bfloat16* out) {
  detail::wait_for_prior_kernels();
  detail::allow_dependent_kernels();
  for (std::size_t i = begin + blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < end;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    const float2 pair = __bfloat1622float2(reinterpret_cast<const __nv_bfloat162*>(gate_up)[i]);
    out[i] = __float2bfloat16(silu_times(pair.x, pair.y));
  }
}

}  // namespace

void silu_mul(cudaStream_t stream, const __nv_bfloat16* gate_up, std::size_t rows, std::size_t width,
              __nv_bfloat16* out) {
  const std::size_t total = rows * width;
  if (total == 0) return;
  const bool vectors = aligned_to(gate_up, 16) && aligned_to(out, 8);
  const std::size_t quads = vectors ? total / 4 : 0;
  if (quads > 0) {
    detail::launch_dependent("silu_mul_x4_kernel", silu_mul_x4_kernel, grid_stride_blocks(quads, kThreads), kThreads,
                             0, stream, gate_up, quads, out);
  }
  if (4 * quads < total) {
    detail::launch_dependent("silu_mul_kernel", silu_mul_kernel, grid_stride_blocks(total - 4 * quads, kThreads),
                             kThreads, 0, stream, gate_up, 4 * quads, total, out);
  }
}

}  // namespace qwenrt::cuda
