#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/dependent_launch.cuh"
#include "kernels/cuda/logits.h"

namespace qwenrt::cuda {
namespace {

__global__ void gather_rows_kernel(const __nv_bfloat16* x, std::size_t dim, const std::int32_t* rows,
                                   __nv_bfloat16* out) {
  detail::wait_for_prior_kernels();
  detail::allow_dependent_kernels();
  const __nv_bfloat16* src = x + static_cast<std::size_t>(rows[blockIdx.x]) * dim;
  __nv_bfloat16* dst = out + blockIdx.x * dim;
  for (std::size_t i = threadIdx.x; i < dim; i += blockDim.x) dst[i] = src[i];
}

}  // namespace

void gather_rows(cudaStream_t stream, const __nv_bfloat16* x, std::size_t dim, const std::int32_t* rows,
                 std::size_t count, __nv_bfloat16* out) {
  if (count == 0) return;
  detail::launch_dependent("gather_rows_kernel", gather_rows_kernel, static_cast<unsigned>(count), 256, 0, stream, x,
                           dim, rows, out);
}

}  // namespace qwenrt::cuda
