#include "kernels/cuda/activation.h"
#include "kernels/cuda/cuda_check.h"

namespace qwenrt::cuda {
namespace {

__global__ void silu_mul_kernel(const __nv_bfloat16* gate_up, std::size_t total, __nv_bfloat16* out) {
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < total;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    const float2 pair = __bfloat1622float2(reinterpret_cast<const __nv_bfloat162*>(gate_up)[i]);
    const float g = pair.x, u = pair.y;
    out[i] = __float2bfloat16(g / (1.0f + expf(-g)) * u);
  }
}

}  // namespace

void silu_mul(cudaStream_t stream, const __nv_bfloat16* gate_up, std::size_t rows, std::size_t width,
              __nv_bfloat16* out) {
  const std::size_t total = rows * width;
  if (total == 0) return;
  constexpr unsigned kThreads = 256;
  const std::size_t blocks = (total + kThreads - 1) / kThreads;
  silu_mul_kernel<<<static_cast<unsigned>(blocks < 65536 ? blocks : 65536), kThreads, 0, stream>>>(gate_up, total,
                                                                                                  out);
  QWENRT_CUDA_CHECK_LAUNCH("silu_mul_kernel");
}

}  // namespace qwenrt::cuda
