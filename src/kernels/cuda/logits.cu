#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/logits.h"

namespace qwenrt::cuda {
namespace {

constexpr int kThreads = 1024;
constexpr int kUnroll = 8;  // loads in flight per thread: one row of a vocabulary is a single block

__global__ void gather_rows_kernel(const __nv_bfloat16* x, std::size_t dim, const std::int32_t* rows,
                                   __nv_bfloat16* out) {
  const __nv_bfloat16* src = x + static_cast<std::size_t>(rows[blockIdx.x]) * dim;
  __nv_bfloat16* dst = out + blockIdx.x * dim;
  for (std::size_t i = threadIdx.x; i < dim; i += blockDim.x) dst[i] = src[i];
}

// Whether (a, ia) comes before (b, ib) in argmax order: NaN first, then larger values, then lower indices.
__device__ __forceinline__ bool precedes(float a, std::size_t ia, float b, std::size_t ib) {
  const bool a_nan = isnan(a), b_nan = isnan(b);
  if (a_nan || b_nan) return a_nan && (!b_nan || ia < ib);
  return a > b || (a == b && ia < ib);
}

__global__ void argmax_rows_kernel(const float* logits, std::size_t cols, std::int32_t* out) {
  __shared__ float best_values[kThreads];
  __shared__ std::size_t best_indices[kThreads];
  const float* row = logits + blockIdx.x * cols;
  float best = row[0];
  std::size_t index = 0;
  for (std::size_t base = threadIdx.x; base < cols; base += kUnroll * blockDim.x) {
    float values[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const std::size_t i = base + u * blockDim.x;
      values[u] = i < cols ? row[i] : 0.0f;
    }
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const std::size_t i = base + u * blockDim.x;
      if (i < cols && precedes(values[u], i, best, index)) {
        best = values[u];
        index = i;
      }
    }
  }
  best_values[threadIdx.x] = best;
  best_indices[threadIdx.x] = index;
  __syncthreads();
  for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) {
      const int other = threadIdx.x + stride;
      if (precedes(best_values[other], best_indices[other], best_values[threadIdx.x], best_indices[threadIdx.x])) {
        best_values[threadIdx.x] = best_values[other];
        best_indices[threadIdx.x] = best_indices[other];
      }
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) out[blockIdx.x] = static_cast<std::int32_t>(best_indices[0]);
}

}  // namespace

void gather_rows(cudaStream_t stream, const __nv_bfloat16* x, std::size_t dim, const std::int32_t* rows,
                 std::size_t count, __nv_bfloat16* out) {
  if (count == 0) return;
  gather_rows_kernel<<<static_cast<unsigned>(count), 256, 0, stream>>>(x, dim, rows, out);
  QWENRT_CUDA_CHECK_LAUNCH("gather_rows_kernel");
}

void argmax_rows(cudaStream_t stream, const float* logits, std::size_t rows, std::size_t cols, std::int32_t* out) {
  if (rows == 0 || cols == 0) return;
  argmax_rows_kernel<<<static_cast<unsigned>(rows), kThreads, 0, stream>>>(logits, cols, out);
  QWENRT_CUDA_CHECK_LAUNCH("argmax_rows_kernel");
}

}  // namespace qwenrt::cuda
