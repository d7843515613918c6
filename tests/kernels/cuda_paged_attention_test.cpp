// The CUDA paged attention kernels (decode and prefill) against the CPU's paged_attention on the same
// bf16 keys and values: mixed batches of prefill chunks (starting at position 0 and mid-sequence)
// and decode steps, scattered block tables, odd block sizes, GQA ratios 1 to 7, head_dim 16 to 128,
// Qwen v1's per-token query scales, and long contexts whose keys are split over blocks and merged.
// Cache slots no sequence has written hold NaN, so a kernel reading outside its blocks fails.
#include <algorithm>
#include <numeric>

#include "core/thread_pool.h"
#include "cuda_test_support.h"
#include "kernels/cpu/paged_attention.h"
#include "kernels/cuda/paged_attention.h"
#include "kernels/cuda/paged_attention_tiles.h"

namespace qwenrt::cuda {
namespace {

using testing::poisoned;
using testing::random_bf16;
using testing::random_floats;
using testing::relative_error;

struct Shape {
  std::size_t num_kv_heads, group, head_dim, block_size;
  std::size_t num_heads() const { return num_kv_heads * group; }
};

struct Sequence {
  std::size_t history;  // positions already cached before this step
  std::size_t fresh;    // tokens of this step
};

// The CPU cache, the same values as bf16 bits for the GPU (NaN where nothing was written), and each
// sequence's scattered block table.
struct Caches {
  cpu::PagedKvLayout layout;
  std::unique_ptr<cpu::KvCacheStorage> cpu;
  std::vector<std::uint16_t> keys, values;
  std::vector<std::vector<std::int32_t>> tables;
};

Caches fill_caches(std::mt19937& rng, const Shape& s, const std::vector<Sequence>& sequences) {
  std::size_t blocks = 0;
  for (const Sequence& seq : sequences) blocks += (seq.history + seq.fresh + s.block_size - 1) / s.block_size;
  Caches c;
  c.layout = {s.block_size, blocks + 3, s.num_kv_heads, s.head_dim};
  c.cpu = std::make_unique<cpu::KvCacheStorage>(c.layout, 1);
  c.keys.assign(c.layout.layer_elements(), 0xffff);
  c.values.assign(c.layout.layer_elements(), 0xffff);
  std::vector<std::int32_t> free_blocks(c.layout.num_blocks);
  std::iota(free_blocks.begin(), free_blocks.end(), 0);
  std::shuffle(free_blocks.begin(), free_blocks.end(), rng);
  const cpu::KvLayer layer = c.cpu->layer(0);
  const std::size_t slot = c.layout.slot_elements();
  for (const Sequence& seq : sequences) {
    const std::size_t length = seq.history + seq.fresh;
    std::vector<std::int32_t> table(free_blocks.end() - static_cast<std::ptrdiff_t>((length + s.block_size - 1) / s.block_size),
                                    free_blocks.end());
    free_blocks.resize(free_blocks.size() - table.size());
    const testing::Bf16Data k = random_bf16(rng, length * slot), v = random_bf16(rng, length * slot);
    cpu::kv_cache_write(layer, table, 0, k.values, v.values);
    for (std::size_t p = 0; p < length; ++p) {
      const std::size_t offset = (static_cast<std::size_t>(table[p / s.block_size]) * s.block_size + p % s.block_size) * slot;
      std::copy_n(k.bits.begin() + static_cast<std::ptrdiff_t>(p * slot), slot, c.keys.begin() + static_cast<std::ptrdiff_t>(offset));
      std::copy_n(v.bits.begin() + static_cast<std::ptrdiff_t>(p * slot), slot, c.values.begin() + static_cast<std::ptrdiff_t>(offset));
    }
    c.tables.push_back(std::move(table));
  }
  return c;
}

// Runs one batch through both paths and compares. splits: 0 for the engine's choice.
void expect_batch_matches_cpu(std::mt19937& rng, const Shape& s, const std::vector<Sequence>& sequences,
                              bool query_scales, std::size_t splits = 0) {
  const Caches caches = fill_caches(rng, s, sequences);
  std::size_t tokens = 0;
  std::vector<cpu::AttentionSequence> cpu_batch;
  std::vector<std::int32_t> first_token, num_tokens, first_position, table_offset, tables, decode, tiles;
  for (std::size_t i = 0; i < sequences.size(); ++i) {
    const Sequence& seq = sequences[i];
    cpu_batch.push_back({caches.tables[i], seq.history, seq.fresh});
    first_token.push_back(static_cast<std::int32_t>(tokens));
    num_tokens.push_back(static_cast<std::int32_t>(seq.fresh));
    first_position.push_back(static_cast<std::int32_t>(seq.history));
    table_offset.push_back(static_cast<std::int32_t>(tables.size()));
    tables.insert(tables.end(), caches.tables[i].begin(), caches.tables[i].end());
    if (seq.fresh == 1) {
      decode.push_back(static_cast<std::int32_t>(i));
    } else {
      append_prefill_tiles(tiles, static_cast<std::int32_t>(i), seq.fresh, s.group);
    }
    tokens += seq.fresh;
  }
  const std::vector<float> q = random_floats(rng, tokens * s.num_heads() * s.head_dim, -2.0f, 2.0f);
  const std::vector<float> scales = query_scales ? random_floats(rng, tokens, 1.0f, 1.5f) : std::vector<float>{};
  ThreadPool pool(2);
  std::vector<float> want(q.size());
  cpu::paged_attention(pool, caches.cpu->layer(0), cpu_batch, s.num_heads(), q, scales, want);

  const auto d_keys = testing::bf16_to_device(caches.keys);
  const auto d_values = testing::bf16_to_device(caches.values);
  const auto d_first_token = to_device<std::int32_t>(first_token), d_num_tokens = to_device<std::int32_t>(num_tokens);
  const auto d_first_position = to_device<std::int32_t>(first_position);
  const auto d_table_offset = to_device<std::int32_t>(table_offset), d_tables = to_device<std::int32_t>(tables);
  const auto d_decode = to_device<std::int32_t>(decode), d_tiles = to_device<std::int32_t>(tiles);
  const auto d_q = to_device<float>(q);
  const auto d_scales = to_device<float>(scales);
  auto d_out = poisoned<__nv_bfloat16>(q.size());
  AttentionArgs args;
  args.cache = {d_keys.data(), d_values.data(), s.block_size, s.num_kv_heads, s.head_dim};
  args.sequences = {d_first_token.data(),  d_num_tokens.data(), d_first_position.data(),
                    d_table_offset.data(), d_tables.data(),     query_scales ? d_scales.data() : nullptr};
  args.num_heads = s.num_heads();
  args.q = d_q.data();
  args.out = d_out.data();
  const int multiprocessors = list_devices().front().multiprocessors;
  if (splits == 0) splits = decode_splits(decode.size(), s.num_kv_heads, multiprocessors);
  DeviceBuffer<float> scratch(decode_scratch_floats(decode.size(), s.num_heads(), s.head_dim, splits));
  paged_attention_decode(nullptr, args, d_decode.data(), decode.size(), splits, scratch.data());
  paged_attention_prefill(nullptr, args, d_tiles.data(), tiles.size() / 2);
  QWENRT_CUDA_CHECK(cudaDeviceSynchronize());

  const std::vector<float> got = testing::bf16_to_host(d_out.data(), q.size());
  // bf16 keys and values are the same on both sides; the output's own rounding to bf16 is 2^-9
  // relative on average, float summation order differences far below that.
  EXPECT_LT(relative_error(got, want), 4e-3) << splits << " decode splits";
  for (std::size_t i = 0; i < got.size(); ++i) {
    ASSERT_NEAR(got[i], want[i], 2e-2) << "element " << i << " (token " << i / (s.num_heads() * s.head_dim) << ")";
  }
}

using CudaPagedAttention = testing::CudaTest;

TEST_F(CudaPagedAttention, MixedBatchesMatchTheCpu) {
  std::mt19937 rng(31);
  const Shape shapes[] = {{2, 1, 64, 16}, {2, 7, 64, 5}, {1, 7, 128, 16}, {4, 2, 16, 3}, {2, 4, 32, 1}, {8, 2, 128, 16}};
  // A first prefill chunk, decode steps (one at position 0), later chunks mid-sequence and mid-block,
  // one spanning several tiles.
  const std::vector<Sequence> batch = {{0, 9}, {30, 1}, {17, 5}, {0, 1}, {100, 70}, {64, 1}};
  for (const Shape& s : shapes) {
    SCOPED_TRACE(::testing::Message() << s.num_kv_heads << " kv heads, group " << s.group << ", head_dim " << s.head_dim
                                      << ", block_size " << s.block_size);
    expect_batch_matches_cpu(rng, s, batch, false);
    expect_batch_matches_cpu(rng, s, batch, true);
  }
}

TEST_F(CudaPagedAttention, LongContextsMatchTheCpuSplitOrNot) {
  std::mt19937 rng(32);
  const Shape s{2, 7, 128, 16};
  const std::vector<Sequence> decode = {{3000, 1}};
  for (const std::size_t splits : {0u, 1u, 7u}) {
    SCOPED_TRACE(::testing::Message() << "splits " << splits);
    expect_batch_matches_cpu(rng, s, decode, false, splits);
  }
  // A decode batch of different lengths split alike: short sequences leave some splits empty.
  expect_batch_matches_cpu(rng, s, {{2500, 1}, {3, 1}, {0, 1}, {700, 1}}, true, 5);
  // A long prompt: many tiles, each row seeing up to 300 keys.
  expect_batch_matches_cpu(rng, s, {{0, 300}}, false);
}

// The checks come before any CUDA call, so this runs without a GPU too.
TEST(CudaPagedAttentionChecks, RejectsShapesTheKernelsDoNotHandle) {
  AttentionArgs args;
  args.cache.num_kv_heads = 2;
  args.cache.head_dim = 80;
  args.num_heads = 4;
  EXPECT_THROW(paged_attention_decode(nullptr, args, nullptr, 1, 1, nullptr), Error);
  EXPECT_THROW(paged_attention_prefill(nullptr, args, nullptr, 1), Error);
  args.cache.head_dim = 64;
  args.num_heads = 5;
  EXPECT_THROW(paged_attention_decode(nullptr, args, nullptr, 1, 1, nullptr), Error);
  args.num_heads = 34;
  EXPECT_THROW(paged_attention_decode(nullptr, args, nullptr, 1, 1, nullptr), Error);
  EXPECT_FALSE(attention_supports_head_dim(80));
  EXPECT_TRUE(attention_supports_head_dim(128));
}

}  // namespace
}  // namespace qwenrt::cuda
