#include <algorithm>

#include "core/error.h"
#include "kernels/cuda/block_reduce.cuh"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/norm.h"

namespace qwenrt::cuda {
namespace {

constexpr std::size_t kMaxThreads = 1024;

// One block per row; thread t holds elements t, t + blockDim, ... of the row in registers, so x is
// read once (all loads in flight together) and the sum is written back while it is at hand. A row
// of decoding is a single block: its time is the latency of one pass, not of a loop of loads.
template <int kPerThread>
__global__ void __launch_bounds__(kMaxThreads) rms_norm_kernel(float* x, const float* residual, const float* weight,
                                                              std::size_t dim, float eps, __nv_bfloat16* out) {
  __shared__ float scratch[32];
  float* row = x + blockIdx.x * dim;
  float v[kPerThread];
  float squares = 0.0f;
#pragma unroll
  for (int k = 0; k < kPerThread; ++k) {
    const std::size_t i = threadIdx.x + static_cast<std::size_t>(k) * blockDim.x;
    v[k] = 0.0f;
    if (i < dim) v[k] = row[i] + (residual != nullptr ? residual[blockIdx.x * dim + i] : 0.0f);
  }
#pragma unroll
  for (int k = 0; k < kPerThread; ++k) {
    const std::size_t i = threadIdx.x + static_cast<std::size_t>(k) * blockDim.x;
    if (i < dim) {
      if (residual != nullptr) row[i] = v[k];
      squares += v[k] * v[k];
    }
  }
  const float mean = detail::block_sum(squares, scratch) / static_cast<float>(dim);
  const float inverse = 1.0f / sqrtf(mean + eps);
  __nv_bfloat16* dst = out + blockIdx.x * dim;
#pragma unroll
  for (int k = 0; k < kPerThread; ++k) {
    const std::size_t i = threadIdx.x + static_cast<std::size_t>(k) * blockDim.x;
    if (i < dim) dst[i] = __float2bfloat16(v[k] * inverse * weight[i]);
  }
}

void launch(cudaStream_t stream, float* x, const float* residual, const float* weight, std::size_t rows,
            std::size_t dim, float eps, __nv_bfloat16* out) {
  if (dim == 0 || dim > 16 * kMaxThreads) fail("rms_norm: dim ", dim, " is not in 1..", 16 * kMaxThreads);
  if (rows == 0) return;
  // Four elements per thread where the row allows, so short rows do not leave most warps idle.
  const std::size_t threads = std::min(kMaxThreads, ((dim + 3) / 4 + 31) / 32 * 32);
  const auto grid = static_cast<unsigned>(rows);
  const auto block = static_cast<unsigned>(threads);
  if (dim <= 8 * threads) {
    rms_norm_kernel<8><<<grid, block, 0, stream>>>(x, residual, weight, dim, eps, out);
  } else {
    rms_norm_kernel<16><<<grid, block, 0, stream>>>(x, residual, weight, dim, eps, out);
  }
  QWENRT_CUDA_CHECK_LAUNCH("rms_norm_kernel");
}

}  // namespace

void rms_norm(cudaStream_t stream, const float* x, const float* weight, std::size_t rows, std::size_t dim, float eps,
              __nv_bfloat16* out) {
  // The kernel writes x only when given a residual.
  launch(stream, const_cast<float*>(x), nullptr, weight, rows, dim, eps, out);
}

void add_rms_norm(cudaStream_t stream, float* x, const float* residual, const float* weight, std::size_t rows,
                  std::size_t dim, float eps, __nv_bfloat16* out) {
  launch(stream, x, residual, weight, rows, dim, eps, out);
}

}  // namespace qwenrt::cuda
