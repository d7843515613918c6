// Causal attention of new query tokens over the paged bf16 KV cache on the GPU, with grouped-query
// attention (query head h reads KV head h / (num_heads / num_kv_heads)). The cache has the CPU's
// layout (kernels/cpu/paged_kv_cache.h) in bf16: per layer, keys and values are each
// [num_blocks, block_size, num_kv_heads, head_dim]. Scores, softmax and the weighted sum are float.
//
// Two kernels: decode, for sequences that add one token (one warp per sequence, KV head and range of
// keys: the query heads of a group share every key and value read; when there are too few sequences
// to fill the GPU, contexts are split over blocks and merged), and prefill, for sequences that add
// several (FlashAttention-style tiles of 64 (token, query head) rows against 64 keys at a time, with
// the online softmax).
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

namespace qwenrt::cuda {

// One layer of the cache.
struct PagedKvView {
  const __nv_bfloat16* keys = nullptr;
  const __nv_bfloat16* values = nullptr;
  std::size_t block_size = 0;
  std::size_t num_kv_heads = 0;
  std::size_t head_dim = 0;  // 16, 32, 64 or 128
};

// The sequences of a batch, as device arrays indexed by sequence.
struct AttentionSequences {
  const std::int32_t* first_token = nullptr;     // row in q and out of the sequence's first new token
  const std::int32_t* num_tokens = nullptr;      // new tokens
  const std::int32_t* first_position = nullptr;  // position of the first new token
  const std::int32_t* block_table_offset = nullptr;  // where the sequence's blocks start in block_tables
  const std::int32_t* block_tables = nullptr;        // every sequence's block table, concatenated
  const float* query_scales = nullptr;               // per token (Qwen v1's logn factor), or null
};

// q is tokens x num_heads x head_dim floats (the rows of all sequences); out has the same shape in bf16.
// The softmax scale is 1 / sqrt(head_dim), times query_scales[t] when given. Every block table must
// cover its sequence's last position with valid blocks, and the new tokens' keys and values must
// already be in the cache: the engine checks the tables on the host.
struct AttentionArgs {
  PagedKvView cache;
  AttentionSequences sequences;
  std::size_t num_heads = 0;
  const float* q = nullptr;
  __nv_bfloat16* out = nullptr;
};

// True when both kernels handle head_dim.
bool attention_supports_head_dim(std::size_t head_dim);

// How many key ranges each decode sequence is split into, so that the GPU's multiprocessors all get
// blocks even for a few long sequences. It depends on the batch's shape alone, not on the sequences'
// lengths (a range holds at least 16 keys: a short sequence leaves the later ranges empty), so a
// decode step can be captured once as a CUDA graph and replayed as the sequences grow.
std::size_t decode_splits(std::size_t sequences, std::size_t num_kv_heads, int multiprocessors);
// Floats of scratch that paged_attention_decode needs for that many splits (0 for one split).
std::size_t decode_scratch_floats(std::size_t sequences, std::size_t num_heads, std::size_t head_dim,
                                  std::size_t splits);

// Attention for the sequences listed in decode_sequences (count indices into args.sequences), each
// adding exactly one token. scratch holds decode_scratch_floats(...) floats.
// Throws Error for an unsupported head_dim or more than 16 query heads per KV head.
void paged_attention_decode(cudaStream_t stream, const AttentionArgs& args, const std::int32_t* decode_sequences,
                            std::size_t count, std::size_t splits, float* scratch);

// Attention for the tiles (tile_count pairs from append_prefill_tiles in paged_attention_tiles.h, in
// device memory).
// Throws Error for an unsupported head_dim.
void paged_attention_prefill(cudaStream_t stream, const AttentionArgs& args, const std::int32_t* tiles,
                             std::size_t tile_count);

}  // namespace qwenrt::cuda
