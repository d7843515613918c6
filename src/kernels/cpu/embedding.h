// Token embedding lookup: rows of the embedding table, widened (or dequantized) to float.
#pragma once

#include <cstdint>
#include <span>

#include "kernels/cpu/weight_matrix.h"

namespace qwenrt::cpu {

// out[t, :] = table row ids[t], for out of ids.size() x table.cols floats. Throws Error naming the
// token when an id is outside [0, table.rows), and for quantized tables matmul (matmul.h) cannot read.
void embedding_lookup(const WeightMatrix& table, std::span<const std::int32_t> ids, std::span<float> out);

}  // namespace qwenrt::cpu
