// Causal multi-head attention of new query tokens over the paged KV cache (paged_kv_cache.h), with
// grouped-query attention: query head h reads KV head h / (num_heads / num_kv_heads), as transformers'
// repeat_kv arranges it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/thread_pool.h"
#include "kernels/cpu/paged_kv_cache.h"

namespace qwenrt::cpu {

// The query tokens of one sequence in a paged_attention call: num_tokens consecutive rows of q at
// positions first_position, first_position + 1, ... Each attends to the cached keys at positions 0 up
// to its own, all of which must have been written (kv_cache_write the new tokens' keys first).
struct AttentionSequence {
  std::span<const std::int32_t> block_table;
  std::size_t first_position = 0;
  std::size_t num_tokens = 0;
};

// out = softmax(q k^T * scale) v per query head, for several sequences at once (a prefill chunk or a
// batch of decode steps): q and out are [total tokens, num_heads, head_dim] float with the sequences'
// tokens in the order given. scale is 1 / sqrt(head_dim), times query_scales[t] for token t when
// query_scales is not empty (Qwen v1's logn factor, qwen_v1_scaling.h). The softmax is the online,
// numerically stable one, in float. Work is split over KV heads, tiles of query tokens and, when that
// leaves threads idle (decoding a long context), ranges of keys that are merged afterwards.
// Throws Error for inconsistent sizes, num_heads not a multiple of num_kv_heads, or a block table that
// does not cover a sequence's last position with valid blocks.
void paged_attention(ThreadPool& pool, const KvLayer& cache, std::span<const AttentionSequence> sequences,
                     std::size_t num_heads, std::span<const float> q, std::span<const float> query_scales,
                     std::span<float> out);

// The same for a single sequence.
void paged_attention(ThreadPool& pool, const KvLayer& cache, std::span<const std::int32_t> block_table,
                     std::size_t first_position, std::size_t num_heads, std::span<const float> q,
                     std::span<const float> query_scales, std::span<float> out);

}  // namespace qwenrt::cpu
