// SimdKernels::attention_tile, written once over a vector type V of vec_*.h: flash-attention style
// online softmax over the keys of one tile, a cache-block chunk at a time. Every key and value row is
// read once per tile and used by all of the tile's query rows (the query heads of one KV head for a few
// tokens), and the running sums are rescaled once per chunk rather than once per key.
// Internal to kernels/cpu: included only by the simd_kernels_*.cpp files.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>

#include "kernels/cpu/matmul_tile_impl.h"
#include "kernels/cpu/simd_kernels.h"
#include "kernels/cpu/vector_ops_impl.h"

namespace qwenrt::cpu {
namespace {

// acc[0, head_dim) += sum over j < keys of weights[j] * values[j * stride + d]. Four vectors of acc
// stay in registers across all keys; a head_dim that is not a multiple of 4 vectors finishes one
// vector at a time.
template <typename V>
void accumulate_weighted_values(float* acc, std::size_t head_dim, const float* weights, std::size_t keys,
                                const float* values, std::size_t stride) {
  using Reg = typename V::Reg;
  constexpr std::size_t kBlock = 4 * V::kWidth;
  std::size_t d = 0;
  for (; d + kBlock <= head_dim; d += kBlock) {
    Reg a0 = V::load(acc + d), a1 = V::load(acc + d + V::kWidth);
    Reg a2 = V::load(acc + d + 2 * V::kWidth), a3 = V::load(acc + d + 3 * V::kWidth);
    for (std::size_t j = 0; j < keys; ++j) {
      const Reg w = V::set1(weights[j]);
      const float* v = values + j * stride + d;
      a0 = V::fma(w, V::load(v), a0);
      a1 = V::fma(w, V::load(v + V::kWidth), a1);
      a2 = V::fma(w, V::load(v + 2 * V::kWidth), a2);
      a3 = V::fma(w, V::load(v + 3 * V::kWidth), a3);
    }
    V::store(acc + d, a0);
    V::store(acc + d + V::kWidth, a1);
    V::store(acc + d + 2 * V::kWidth, a2);
    V::store(acc + d + 3 * V::kWidth, a3);
  }
  for (; d < head_dim; d += V::kWidth) {
    const std::size_t lanes = head_dim - d < V::kWidth ? head_dim - d : V::kWidth;
    Reg a = load_lanes<V>(acc + d, lanes);
    for (std::size_t j = 0; j < keys; ++j) {
      a = V::fma(V::set1(weights[j]), load_lanes<V>(values + j * stride + d, lanes), a);
    }
    store_lanes<V>(acc + d, a, lanes);
  }
}

template <typename V, std::size_t kRows>
void attention_tile_impl(const detail::AttentionTile& tile) {
  const std::size_t head_dim = tile.head_dim;
  for (std::size_t r = 0; r < tile.rows; ++r) {
    tile.row_max[r] = -std::numeric_limits<float>::infinity();
    tile.row_sum[r] = 0.0f;
  }
  for (std::size_t i = 0; i < tile.rows * head_dim; ++i) tile.acc[i] = 0.0f;

  for (std::size_t key = tile.key_begin; key < tile.key_end;) {
    const std::size_t slot = key % tile.block_size;
    std::size_t chunk = tile.block_size - slot;
    if (chunk > tile.key_end - key) chunk = tile.key_end - key;
    if (chunk > detail::kAttentionKeyChunk) chunk = detail::kAttentionKeyChunk;
    const std::size_t first_slot =
        static_cast<std::size_t>(tile.block_table[key / tile.block_size]) * tile.block_size + slot;
    const float* keys = tile.keys + first_slot * tile.slot_stride;
    const float* values = tile.values + first_slot * tile.slot_stride;

    // scores[r][j] = q_r . k_j: the matmul tile with the key rows as the weight matrix.
    for (std::size_t i = 0; i < tile.rows * chunk; ++i) tile.scores[i] = 0.0f;
    const detail::WeightRows key_rows{DType::kF32, reinterpret_cast<const std::byte*>(keys),
                                      tile.slot_stride * sizeof(float)};
    matmul_accumulate_typed<V, DType::kF32, kRows>(tile.queries, head_dim, tile.rows, key_rows, chunk, head_dim,
                                                   tile.scores, chunk);

    for (std::size_t r = 0; r < tile.rows; ++r) {
      // Causal mask: a row sees the keys at or before its token's position.
      const std::size_t position = tile.first_position + r / tile.group;
      if (position < key) continue;
      const std::size_t visible = position - key + 1 < chunk ? position - key + 1 : chunk;
      float* scores = tile.scores + r * chunk;
      const float chunk_max = max_impl<V>(scores, visible);
      const float previous_max = tile.row_max[r];
      const float new_max = chunk_max > previous_max ? chunk_max : previous_max;
      const float chunk_sum = exp_shifted_sum_impl<V>(scores, new_max, visible);
      float* acc = tile.acc + r * head_dim;
      if (new_max != previous_max) {
        // exp(-inf) = 0 rescales the empty sums of a row's first chunk harmlessly.
        const float correction = std::exp(previous_max - new_max);
        tile.row_sum[r] *= correction;
        scale_impl<V>(acc, correction, head_dim);
      }
      tile.row_sum[r] += chunk_sum;
      tile.row_max[r] = new_max;
      accumulate_weighted_values<V>(acc, head_dim, scores, visible, values, tile.slot_stride);
    }
    key += chunk;
  }
}

}  // namespace
}  // namespace qwenrt::cpu
