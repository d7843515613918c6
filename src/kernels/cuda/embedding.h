// Token embedding lookup on the GPU: bf16 rows of the table, widened to the float residual stream.
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

namespace qwenrt::cuda {

// out[t, :] = table[ids[t], :] for t < tokens; out is tokens x hidden floats. The ids must already be
// known to lie in the table (the engine checks them on the host, where an Error can be thrown).
void embedding_gather(cudaStream_t stream, const __nv_bfloat16* table, std::size_t hidden, const std::int32_t* ids,
                      std::size_t tokens, float* out);

}  // namespace qwenrt::cuda
