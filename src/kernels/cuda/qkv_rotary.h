// What happens between the q/k/v projection and attention, fused into one pass on the GPU: the q/k/v
// bias (Qwen v1, Qwen2), Qwen3's per-head RMSNorm of queries and keys, rotary position embedding
// (rotate-half, possibly partial: kernels/cpu/rotary.h), and the write of the new keys and values into
// the paged bf16 KV cache. The queries stay in float for attention.
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

namespace qwenrt::cuda {

// cos[t, i] and sin[t, i] (tokens x half floats) of the angle float(positions[t]) * inv_freq[s, i],
// s = token_sequence[t], with inv_freq a row of half floats per sequence (sequences may differ in
// base: Qwen v1's dynamic NTK). As on the CPU, the angle is a float product and its cosine and sine
// are taken in double and rounded, so both paths turn by the same angles.
void rotary_angles(cudaStream_t stream, const std::int32_t* positions, const std::int32_t* token_sequence,
                   const float* inv_freq, std::size_t tokens, std::size_t half, float* cos, float* sin);

struct QkvShape {
  std::size_t num_heads = 0;
  std::size_t num_kv_heads = 0;
  std::size_t head_dim = 0;     // at most 256
  std::size_t rotary_half = 0;  // rotary_dim / 2; dimensions from 2 * rotary_half on are not rotated
  std::size_t row_width() const { return (num_heads + 2 * num_kv_heads) * head_dim; }
};

struct QkvParams {
  const float* bias = nullptr;    // row_width() floats, or null
  const float* q_norm = nullptr;  // head_dim floats each, or null (no per-head norm)
  const float* k_norm = nullptr;
  float eps = 0;
  const float* cos = nullptr;  // from rotary_angles
  const float* sin = nullptr;
};

// qkv is tokens x row_width() floats: the query heads, then the key heads, then the value heads of
// each token, as one product with the stacked q/k/v weights yields them. Writes q (tokens x num_heads
// x head_dim floats) and stores token t's keys and values in cache slot slots[t] (block * block_size
// + offset) of key_cache and value_cache, [slots, num_kv_heads, head_dim] bf16.
// Throws Error for a head_dim above 256 or a rotary_half that does not fit in it.
void qkv_rotary_cache_write(cudaStream_t stream, const float* qkv, std::size_t tokens, const QkvShape& shape,
                            const QkvParams& params, const std::int32_t* slots, float* q,
                            __nv_bfloat16* key_cache, __nv_bfloat16* value_cache);

}  // namespace qwenrt::cuda
