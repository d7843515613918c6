// The linear layer: y = x W^T (+ bias), with float activations and weights in their stored type.
#pragma once

#include <cstddef>
#include <span>

#include "core/thread_pool.h"
#include "kernels/cpu/weight_matrix.h"

namespace qwenrt::cpu {

// y[i, j] = sum over kk of x[i, kk] * W[j, kk] (+ bias[j]) for i < m, j < w.rows, with x m x w.cols and
// y m x w.rows, both row-major float. bias is empty or w.rows floats (convert a stored bias once at load
// time). Products are summed in float. y must not overlap x or bias.
//
// Small m (decode) streams W once at memory speed, split over the pool by output rows. Larger m
// (prefill) widens blocks of W into a float buffer once and reuses each block for many rows of x from
// cache, so it runs at arithmetic speed; the pool splits output columns and, if needed, rows.
// Quantized weights (int8 / int4, WeightMatrix::quantization) take the same two paths: decode
// multiplies x with the codes as they stream past and scales each group's sum once, prefill widens
// blocks of codes to float. Throws Error for inconsistent sizes, and for int4 weights without zero
// points or with an odd column count or group size.
void matmul(ThreadPool& pool, std::size_t m, std::span<const float> x, const WeightMatrix& w,
            std::span<const float> bias, std::span<float> y);

}  // namespace qwenrt::cpu
