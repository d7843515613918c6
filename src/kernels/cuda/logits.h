// The last steps of a forward pass on the GPU: picking the rows that need logits, and the greedy
// choice over each row of logits, so that a greedy decoder copies back token ids, not whole rows.
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

namespace qwenrt::cuda {

// out[i, :] = x[rows[i], :] for i < count, rows of dim bf16.
void gather_rows(cudaStream_t stream, const __nv_bfloat16* x, std::size_t dim, const std::int32_t* rows,
                 std::size_t count, __nv_bfloat16* out);

// out[r] = the index of the largest value of logits row r (rows x cols floats), the first one on ties;
// a NaN counts as larger than any number, as in kernels/cpu/logits.h and torch.argmax.
void argmax_rows(cudaStream_t stream, const float* logits, std::size_t rows, std::size_t cols, std::int32_t* out);

}  // namespace qwenrt::cuda
