// Programmatic dependent launch (Hopper on): a kernel launched with launch_dependent may be scheduled
// while the kernel before it on the stream is still running, instead of after it has drained and
// signalled completion. A decode step of a 7B model at batch 1 is some 290 short kernels, and the
// gap at each boundary (drain, launch, ramp-up) adds up to a noticeable share of the step.
//
// The contract, which every kernel of this folder keeps: a kernel calls wait_for_prior_kernels()
// before it reads anything an earlier kernel wrote and before it writes anything at all, so it sees
// exactly what it would have seen launched the ordinary way; only reads of data no kernel writes
// (weights) may come before. It calls allow_dependent_kernels() right after, so the next kernel may
// be scheduled onto SMs this one leaves free. Kernels launched the ordinary way (cuBLASLt's) simply
// wait for everything before them, and the wait is a no-op in a kernel launched the ordinary way.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>

#include "kernels/cuda/cuda_check.h"

namespace qwenrt::cuda::detail {

__device__ __forceinline__ void wait_for_prior_kernels() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
}

__device__ __forceinline__ void allow_dependent_kernels() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.launch_dependents;");
#endif
}

// Whether the current device runs programmatic dependent launches (compute capability 9.0 or more).
bool dependent_launch_supported();

// kernel<<<grid, block, shared, stream>>>(args...), allowed to start before the previous kernel on
// the stream ends where the device supports it; a failed launch throws Error naming the kernel.
template <typename... Params, typename... Args>
void launch_dependent(const char* name, void (*kernel)(Params...), dim3 grid, dim3 block, std::size_t shared,
                      cudaStream_t stream, Args... args) {
  cudaLaunchAttribute attribute{};
  attribute.id = cudaLaunchAttributeProgrammaticStreamSerialization;
  attribute.val.programmaticStreamSerializationAllowed = 1;
  cudaLaunchConfig_t config{};
  config.gridDim = grid;
  config.blockDim = block;
  config.dynamicSmemBytes = shared;
  config.stream = stream;
  config.attrs = &attribute;
  config.numAttrs = dependent_launch_supported() ? 1 : 0;
  check_cuda(cudaLaunchKernelEx(&config, kernel, static_cast<Params>(args)...), name, __FILE__, __LINE__);
}

}  // namespace qwenrt::cuda::detail
