// Turning CUDA and cuBLASLt failures into qwenrt::Error: every runtime call and every kernel launch is
// checked where it happens, and the message names the call, the file:line and CUDA's own description,
// so a failure on the GPU machine can be traced from one line of output.
#pragma once

#include <cublasLt.h>
#include <cuda_runtime.h>

namespace qwenrt::cuda::detail {

// Throws Error unless status is cudaSuccess.
void check_cuda(cudaError_t status, const char* what, const char* file, int line);
// Throws Error unless status is CUBLAS_STATUS_SUCCESS.
void check_cublas(cublasStatus_t status, const char* what, const char* file, int line);

}  // namespace qwenrt::cuda::detail

#define QWENRT_CUDA_CHECK(call) ::qwenrt::cuda::detail::check_cuda((call), #call, __FILE__, __LINE__)
#define QWENRT_CUBLAS_CHECK(call) ::qwenrt::cuda::detail::check_cublas((call), #call, __FILE__, __LINE__)
// After a kernel launch: a bad configuration (too many threads, too much shared memory) is reported by
// the launch itself, not by a later call.
#define QWENRT_CUDA_CHECK_LAUNCH(kernel) \
  ::qwenrt::cuda::detail::check_cuda(cudaGetLastError(), "launch of " kernel, __FILE__, __LINE__)
