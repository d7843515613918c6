// Picking the rows of a forward pass that need logits, so that only they go through the LM head.
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

namespace qwenrt::cuda {

// out[i, :] = x[rows[i], :] for i < count, rows of dim bf16.
void gather_rows(cudaStream_t stream, const __nv_bfloat16* x, std::size_t dim, const std::int32_t* rows,
                 std::size_t count, __nv_bfloat16* out);

}  // namespace qwenrt::cuda
