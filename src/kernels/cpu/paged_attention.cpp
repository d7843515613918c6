#include "kernels/cpu/paged_attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/error.h"
#include "kernels/cpu/kernel_support.h"
#include "kernels/cpu/simd_kernels.h"

namespace qwenrt::cpu {

namespace {

// Query rows per tile (query heads of one KV head times tokens): enough rows that each key and value
// row, once loaded, serves many dot products, few enough that the tile's accumulators stay in L1.
constexpr std::size_t kTileRows = 16;
// A key range shorter than this is not split further: merging costs about as much as it saves.
constexpr std::size_t kMinKeysPerSplit = 256;

// One unit of parallel work: a query tile of one KV head against one range of keys.
struct TileWork {
  std::size_t kv_head;
  std::size_t first_token;     // row index in q of the tile's first token
  std::size_t tokens;
  std::size_t first_position;  // its position in the sequence
  const AttentionSequence* sequence;
  std::size_t key_begin;
  std::size_t key_end;
  std::size_t partial;         // offset of its results in the partials buffer
};

// The key-range splits of one tile, stored as consecutive TileWork entries.
struct TileSplits {
  std::size_t first_work;
  std::size_t splits;
};

struct Shape {
  std::size_t num_heads;
  std::size_t num_kv_heads;
  std::size_t group;
  std::size_t head_dim;
};

// The tile's queries, one row per (token, query head of the KV head), times the softmax scale.
void gather_queries(const Shape& shape, const TileWork& work, const float* q, const float* scales,
                    float base_scale, float* rows) {
  for (std::size_t t = 0; t < work.tokens; ++t) {
    const std::size_t token = work.first_token + t;
    const float scale = scales == nullptr ? base_scale : base_scale * scales[token];
    const float* src = q + (token * shape.num_heads + work.kv_head * shape.group) * shape.head_dim;
    float* dst = rows + t * shape.group * shape.head_dim;
    for (std::size_t i = 0; i < shape.group * shape.head_dim; ++i) dst[i] = src[i] * scale;
  }
}

// Combines the splits of one tile into the output rows: with m_s, l_s, acc_s per split and
// M = max m_s, out = sum acc_s e^(m_s - M) / sum l_s e^(m_s - M).
void merge_splits(const Shape& shape, const std::vector<TileWork>& works, const TileSplits& tile,
                  const float* partials, float* out) {
  const TileWork& first = works[tile.first_work];
  const std::size_t rows = first.tokens * shape.group;
  const std::size_t d = shape.head_dim;
  for (std::size_t r = 0; r < rows; ++r) {
    float max = -std::numeric_limits<float>::infinity();
    for (std::size_t s = 0; s < tile.splits; ++s) {
      const float* partial = partials + works[tile.first_work + s].partial;
      max = std::max(max, partial[rows * d + r]);
    }
    const std::size_t token = first.first_token + r / shape.group;
    const std::size_t head = first.kv_head * shape.group + r % shape.group;
    float* o = out + (token * shape.num_heads + head) * d;
    std::fill(o, o + d, 0.0f);
    float sum = 0.0f;
    for (std::size_t s = 0; s < tile.splits; ++s) {
      const float* partial = partials + works[tile.first_work + s].partial;
      const float split_max = partial[rows * d + r];
      if (split_max == -std::numeric_limits<float>::infinity()) continue;  // no visible key in this range
      const float weight = std::exp(split_max - max);
      sum += partial[rows * d + rows + r] * weight;
      const float* acc = partial + r * d;
      for (std::size_t i = 0; i < d; ++i) o[i] += acc[i] * weight;
    }
    const float inverse = 1.0f / sum;
    for (std::size_t i = 0; i < d; ++i) o[i] *= inverse;
  }
}

std::size_t ceil_div(std::size_t a, std::size_t b) { return (a + b - 1) / b; }

}  // namespace

void paged_attention(ThreadPool& pool, const KvLayer& cache, std::span<const AttentionSequence> sequences,
                     std::size_t num_heads, std::span<const float> q, std::span<const float> query_scales,
                     std::span<float> out) {
  constexpr std::string_view kName = "paged_attention";
  const PagedKvLayout& layout = cache.layout;
  validate(layout);
  detail::check_size(kName, "key cache", cache.keys.size(), layout.layer_elements());
  detail::check_size(kName, "value cache", cache.values.size(), layout.layer_elements());
  if (num_heads == 0 || num_heads % layout.num_kv_heads != 0) {
    fail(kName, ": num_heads ", num_heads, " is not a positive multiple of num_kv_heads ", layout.num_kv_heads);
  }
  const Shape shape{num_heads, layout.num_kv_heads, num_heads / layout.num_kv_heads, layout.head_dim};
  std::size_t total_tokens = 0;
  for (const AttentionSequence& sequence : sequences) {
    if (sequence.num_tokens > 0) {
      detail::check_block_table(kName, layout, sequence.block_table, sequence.first_position + sequence.num_tokens);
    }
    total_tokens += sequence.num_tokens;
  }
  detail::check_size(kName, "q", q.size(), total_tokens * num_heads * shape.head_dim);
  detail::check_size(kName, "out", out.size(), q.size());
  if (!query_scales.empty()) detail::check_size(kName, "query_scales", query_scales.size(), total_tokens);
  const std::span<const float> out_view(out.data(), out.size());
  detail::check_disjoint(kName, "q", q, "out", out_view);
  detail::check_disjoint(kName, "out", out_view, "key cache", cache.keys);
  detail::check_disjoint(kName, "out", out_view, "value cache", cache.values);
  if (total_tokens == 0) return;

  // Tiles: per sequence, KV head and run of tile_tokens tokens.
  const std::size_t tile_tokens = std::max<std::size_t>(1, kTileRows / shape.group);
  std::vector<TileWork> works;
  std::vector<TileSplits> tiles;
  std::size_t first_token = 0;
  std::size_t total_work = 0;  // key visits of all rows, to judge whether threads pay
  for (const AttentionSequence& sequence : sequences) {
    for (std::size_t t0 = 0; t0 < sequence.num_tokens; t0 += tile_tokens) {
      const std::size_t tokens = std::min(tile_tokens, sequence.num_tokens - t0);
      for (std::size_t h = 0; h < shape.num_kv_heads; ++h) {
        works.push_back({h, first_token + t0, tokens, sequence.first_position + t0, &sequence, 0,
                         sequence.first_position + t0 + tokens, 0});
        total_work += tokens * shape.group * works.back().key_end;
      }
    }
    first_token += sequence.num_tokens;
  }
  const bool parallel = total_work * shape.head_dim * 4 >= detail::kParallelMinWork;
  // Decoding one long sequence leaves one tile per KV head: split the keys so every thread has work.
  const std::size_t wanted = parallel ? 2 * pool.size() : 1;
  const std::size_t split_goal = works.size() < wanted ? ceil_div(wanted, works.size()) : 1;
  std::vector<TileWork> split_works;
  std::size_t partial_floats = 0;
  for (const TileWork& work : works) {
    const std::size_t keys = work.key_end;
    const std::size_t splits = std::max<std::size_t>(1, std::min(split_goal, keys / kMinKeysPerSplit));
    tiles.push_back({split_works.size(), splits});
    for (std::size_t s = 0; s < splits; ++s) {
      TileWork split = work;
      split.key_begin = keys * s / splits;
      split.key_end = keys * (s + 1) / splits;
      split.partial = partial_floats;
      partial_floats += work.tokens * shape.group * (shape.head_dim + 2);
      split_works.push_back(split);
    }
  }

  thread_local std::vector<float> partial_storage;
  float* partials = detail::scratch_floats(partial_storage, partial_floats);
  const detail::SimdKernels& kernels = detail::active_simd_kernels();
  const auto base_scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(shape.head_dim)));
  const float* scales = query_scales.empty() ? nullptr : query_scales.data();

  const auto run_tiles = [&](std::size_t begin, std::size_t end) {
    thread_local std::vector<float> tile_storage;
    const std::size_t max_rows = tile_tokens * shape.group;
    float* queries = detail::scratch_floats(tile_storage, max_rows * (shape.head_dim + detail::kAttentionKeyChunk));
    float* scores = queries + max_rows * shape.head_dim;
    for (std::size_t i = begin; i < end; ++i) {
      const TileWork& work = split_works[i];
      const std::size_t rows = work.tokens * shape.group;
      gather_queries(shape, work, q.data(), scales, base_scale, queries);
      float* partial = partials + work.partial;
      detail::AttentionTile tile;
      tile.queries = queries;
      tile.rows = rows;
      tile.group = shape.group;
      tile.head_dim = shape.head_dim;
      tile.first_position = work.first_position;
      tile.key_begin = work.key_begin;
      tile.key_end = work.key_end;
      tile.block_table = work.sequence->block_table.data();
      tile.block_size = layout.block_size;
      tile.keys = cache.keys.data() + work.kv_head * shape.head_dim;
      tile.values = cache.values.data() + work.kv_head * shape.head_dim;
      tile.slot_stride = layout.slot_elements();
      tile.scores = scores;
      tile.acc = partial;
      tile.row_max = partial + rows * shape.head_dim;
      tile.row_sum = tile.row_max + rows;
      kernels.attention_tile(tile);
    }
  };
  const auto merge = [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) merge_splits(shape, split_works, tiles[i], partials, out.data());
  };
  if (parallel) {
    // Tiles late in a causal prefill see more keys than early ones, hence dynamic hand-out.
    pool.parallel_for_dynamic(split_works.size(), 1, run_tiles);
    pool.parallel_for(tiles.size(), merge);
  } else {
    run_tiles(0, split_works.size());
    merge(0, tiles.size());
  }
}

void paged_attention(ThreadPool& pool, const KvLayer& cache, std::span<const std::int32_t> block_table,
                     std::size_t first_position, std::size_t num_heads, std::span<const float> q,
                     std::span<const float> query_scales, std::span<float> out) {
  const std::size_t token_floats = num_heads * cache.layout.head_dim;
  const std::size_t tokens = token_floats == 0 ? 0 : q.size() / token_floats;
  const AttentionSequence sequence{block_table, first_position, tokens};
  paged_attention(pool, cache, std::span<const AttentionSequence>(&sequence, 1), num_heads, q, query_scales, out);
}

}  // namespace qwenrt::cpu
