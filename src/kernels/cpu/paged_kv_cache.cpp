#include "kernels/cpu/paged_kv_cache.h"

#include <cstring>
#include <limits>
#include <new>
#include <string_view>

#include "core/error.h"
#include "kernels/cpu/kernel_support.h"

namespace qwenrt::cpu {

void validate(const PagedKvLayout& layout) {
  if (layout.block_size == 0 || layout.num_blocks == 0 || layout.num_kv_heads == 0 || layout.head_dim == 0) {
    fail("paged KV cache layout: block_size ", layout.block_size, ", num_blocks ", layout.num_blocks,
         ", num_kv_heads ", layout.num_kv_heads, " and head_dim ", layout.head_dim, " must all be > 0");
  }
  // Each product must fit; 2^62 floats is far past any real memory anyway.
  constexpr std::size_t kLimit = std::size_t{1} << 62;
  std::size_t total = layout.block_size;
  for (const std::size_t factor : {layout.num_blocks, layout.num_kv_heads, layout.head_dim}) {
    if (total > kLimit / factor) fail("paged KV cache layout: the cache size overflows");
    total *= factor;
  }
}

KvCacheStorage::KvCacheStorage(const PagedKvLayout& layout, std::size_t num_layers)
    : layout_(layout), num_layers_(num_layers) {
  validate(layout);
  if (num_layers == 0) fail("paged KV cache: num_layers is 0");
  const std::size_t per_layer = 2 * layout.layer_elements();
  if (per_layer > std::numeric_limits<std::size_t>::max() / sizeof(float) / num_layers) {
    fail("paged KV cache: ", num_layers, " layers of ", per_layer, " floats overflow");
  }
  try {
    data_ = AlignedFloatBuffer(per_layer * num_layers);
  } catch (const std::bad_alloc&) {
    fail("paged KV cache: cannot allocate ", per_layer * num_layers * sizeof(float), " bytes");
  }
}

KvLayer KvCacheStorage::layer(std::size_t index) {
  if (index >= num_layers_) fail("paged KV cache: layer ", index, " of ", num_layers_);
  const std::size_t elements = layout_.layer_elements();
  float* base = data_.data() + 2 * elements * index;
  return KvLayer{layout_, std::span<float>(base, elements), std::span<float>(base + elements, elements)};
}

void detail::check_block_table(std::string_view kernel, const PagedKvLayout& layout,
                               std::span<const std::int32_t> block_table, std::size_t end) {
  const std::size_t needed = (end + layout.block_size - 1) / layout.block_size;
  if (block_table.size() < needed) {
    fail(kernel, ": block table has ", block_table.size(), " blocks, position ", end - 1, " needs ", needed);
  }
  for (std::size_t i = 0; i < needed; ++i) {
    if (block_table[i] < 0 || static_cast<std::size_t>(block_table[i]) >= layout.num_blocks) {
      fail(kernel, ": block table entry ", i, " is block ", block_table[i], ", outside the cache's ",
           layout.num_blocks, " blocks");
    }
  }
}

void kv_cache_write(const KvLayer& cache, std::span<const std::int32_t> block_table, std::size_t first_position,
                    std::span<const float> k, std::span<const float> v) {
  constexpr std::string_view kName = "kv_cache_write";
  const PagedKvLayout& layout = cache.layout;
  validate(layout);
  detail::check_size(kName, "key cache", cache.keys.size(), layout.layer_elements());
  detail::check_size(kName, "value cache", cache.values.size(), layout.layer_elements());
  const std::size_t slot = layout.slot_elements();
  if (k.size() % slot != 0) fail(kName, ": k has ", k.size(), " values, not a whole number of tokens of ", slot);
  detail::check_size(kName, "v", v.size(), k.size());
  const std::size_t tokens = k.size() / slot;
  if (tokens == 0) return;
  detail::check_block_table(kName, layout, block_table, first_position + tokens);
  for (std::size_t t = 0; t < tokens; ++t) {
    const std::size_t position = first_position + t;
    const auto block = static_cast<std::size_t>(block_table[position / layout.block_size]);
    const std::size_t offset = (block * layout.block_size + position % layout.block_size) * slot;
    std::memcpy(cache.keys.data() + offset, k.data() + t * slot, slot * sizeof(float));
    std::memcpy(cache.values.data() + offset, v.data() + t * slot, slot * sizeof(float));
  }
}

}  // namespace qwenrt::cpu
