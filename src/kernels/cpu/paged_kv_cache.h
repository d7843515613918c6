// The paged key/value cache: every layer's keys and values live in fixed-size blocks of block_size
// token slots, and a sequence owns a list of blocks (its block table) in any order, so sequences grow,
// shrink and share memory without copying. Block b, slot s holds the token at position
// p = i * block_size + s of every sequence whose block table has b at index i.
// Per layer, keys and values are each [num_blocks, block_size, num_kv_heads, head_dim] floats.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "kernels/cpu/aligned_buffer.h"

namespace qwenrt::cpu {

struct PagedKvLayout {
  std::size_t block_size = 0;  // token slots per block
  std::size_t num_blocks = 0;
  std::size_t num_kv_heads = 0;
  std::size_t head_dim = 0;

  // Floats of one token slot (all KV heads), of one block, and of one layer's keys (or values).
  std::size_t slot_elements() const { return num_kv_heads * head_dim; }
  std::size_t block_elements() const { return block_size * slot_elements(); }
  std::size_t layer_elements() const { return num_blocks * block_elements(); }
};

// Throws Error when a field is 0 or the sizes overflow.
void validate(const PagedKvLayout& layout);

// One layer's cache: layout.layer_elements() floats each.
struct KvLayer {
  PagedKvLayout layout;
  std::span<float> keys;
  std::span<float> values;
};

// The cache memory for every layer, 64-byte aligned. Contents start undefined: attention reads only
// the positions a sequence has written.
class KvCacheStorage {
 public:
  // Throws Error for an invalid layout, no layers, or memory that cannot be had (naming the size).
  KvCacheStorage(const PagedKvLayout& layout, std::size_t num_layers);

  const PagedKvLayout& layout() const { return layout_; }
  std::size_t num_layers() const { return num_layers_; }
  std::size_t bytes() const { return data_.size() * sizeof(float); }

  // Throws Error when index >= num_layers().
  KvLayer layer(std::size_t index);

 private:
  PagedKvLayout layout_;
  std::size_t num_layers_;
  AlignedFloatBuffer data_;  // [layer][keys, values][layer_elements]
};

// Stores the keys and values of tokens at positions first_position, first_position + 1, ... of a
// sequence: k and v are [tokens, num_kv_heads, head_dim]. Throws Error when the sizes disagree, the
// block table is too short for the last position, or a block id is outside the cache.
void kv_cache_write(const KvLayer& cache, std::span<const std::int32_t> block_table, std::size_t first_position,
                    std::span<const float> k, std::span<const float> v);

namespace detail {
// Throws Error unless the block table covers positions [0, end) with valid block ids.
void check_block_table(std::string_view kernel, const PagedKvLayout& layout,
                       std::span<const std::int32_t> block_table, std::size_t end);
}  // namespace detail

}  // namespace qwenrt::cpu
