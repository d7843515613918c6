#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/dependent_launch.cuh"
#include "kernels/cuda/embedding.h"

namespace qwenrt::cuda {
namespace {

__global__ void embedding_gather_kernel(const __nv_bfloat16* table, std::size_t hidden, const std::int32_t* ids,
                                        float* out) {
  detail::wait_for_prior_kernels();
  detail::allow_dependent_kernels();
  const std::size_t token = blockIdx.x;
  const __nv_bfloat16* row = table + static_cast<std::size_t>(ids[token]) * hidden;
  float* dst = out + token * hidden;
  for (std::size_t i = threadIdx.x; i < hidden; i += blockDim.x) dst[i] = __bfloat162float(row[i]);
}

}  // namespace

void embedding_gather(cudaStream_t stream, const __nv_bfloat16* table, std::size_t hidden, const std::int32_t* ids,
                      std::size_t tokens, float* out) {
  if (tokens == 0) return;
  detail::launch_dependent("embedding_gather_kernel", embedding_gather_kernel, static_cast<unsigned>(tokens), 256, 0,
                           stream, table, hidden, ids, out);
}

}  // namespace qwenrt::cuda
