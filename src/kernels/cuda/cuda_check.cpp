#include "kernels/cuda/cuda_check.h"

#include "core/error.h"

namespace qwenrt::cuda::detail {

void check_cuda(cudaError_t status, const char* what, const char* file, int line) {
  if (status == cudaSuccess) return;
  fail("CUDA error at ", file, ":", line, ": ", what, " failed: ", cudaGetErrorName(status), " (",
       cudaGetErrorString(status), ")");
}

void check_cublas(cublasStatus_t status, const char* what, const char* file, int line) {
  if (status == CUBLAS_STATUS_SUCCESS) return;
  fail("cuBLASLt error at ", file, ":", line, ": ", what, " failed: ", cublasLtGetStatusName(status), " (",
       cublasLtGetStatusString(status), ")");
}

}  // namespace qwenrt::cuda::detail
