#include <cstdlib>

#include "kernels/cuda/dependent_launch.cuh"

namespace qwenrt::cuda::detail {

bool dependent_launch_supported() {
  // QWENRT_NO_DEPENDENT_LAUNCH=1 launches every kernel the ordinary way: the peer for measuring what
  // the dependent launches save.
  static const bool switched_off = std::getenv("QWENRT_NO_DEPENDENT_LAUNCH") != nullptr;
  thread_local int cached_device = -1;
  thread_local bool cached_answer = false;
  int device = 0;
  if (switched_off || cudaGetDevice(&device) != cudaSuccess) return false;
  if (device != cached_device) {
    int major = 0;
    cached_answer = cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device) == cudaSuccess && major >= 9;
    cached_device = device;
  }
  return cached_answer;
}

}  // namespace qwenrt::cuda::detail
