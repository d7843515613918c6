// The paged KV cache and paged attention against a dense double-precision attention: scattered block
// tables, partial blocks, prefill chunks that start mid-sequence, decode steps, several sequences in one
// call, GQA ratios 1, 2 and 7, and long contexts whose keys are split across threads and merged.
#include "kernels/cpu/paged_attention.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"
#include "cpu_test_support.h"
#include "kernels/cpu/paged_kv_cache.h"

namespace qwenrt::cpu {
namespace {

using testing::kFloatUnitRoundoff;
using testing::random_floats;

struct Config {
  std::size_t num_kv_heads;
  std::size_t group;  // query heads per KV head
  std::size_t head_dim;
  std::size_t block_size;
  std::size_t num_heads() const { return num_kv_heads * group; }
};

// One sequence's keys and values in dense form, [position, kv head, head_dim], next to its blocks.
struct Sequence {
  std::vector<std::int32_t> block_table;
  std::vector<float> keys;
  std::vector<float> values;
  std::size_t length = 0;
};

// Random distinct block ids, shuffled, so that neighbouring positions live in scattered blocks.
std::vector<std::int32_t> scattered_blocks(std::mt19937& rng, std::vector<std::int32_t>& free_blocks,
                                           std::size_t count) {
  std::shuffle(free_blocks.begin(), free_blocks.end(), rng);
  std::vector<std::int32_t> table(free_blocks.end() - static_cast<std::ptrdiff_t>(count), free_blocks.end());
  free_blocks.resize(free_blocks.size() - count);
  return table;
}

// Appends tokens new positions to the sequence and writes them to the cache.
void append(std::mt19937& rng, const KvLayer& cache, Sequence& sequence, std::size_t tokens) {
  const std::size_t slot = cache.layout.slot_elements();
  const std::vector<float> k = random_floats(rng, tokens * slot);
  const std::vector<float> v = random_floats(rng, tokens * slot);
  kv_cache_write(cache, sequence.block_table, sequence.length, k, v);
  sequence.keys.insert(sequence.keys.end(), k.begin(), k.end());
  sequence.values.insert(sequence.values.end(), v.begin(), v.end());
  sequence.length += tokens;
}

// Checks out (tokens x num_heads x head_dim) for queries at positions first_position... of sequence.
// The error bound follows the kernel's float steps: each score q.k * scale errs by at most
// (head_dim/4 + 10) u times the sum of |q_d k_d| scale (summation depth plus the scale's roundings),
// s - max adds u |s - max|, exp a few ulps; the probabilities are then off by twice that relatively,
// and the weighted sum of values accumulates sequentially over all keys (plus a rescale per chunk
// and the merge of key splits), each step rounding once.
void expect_attention(const Config& c, const Sequence& sequence, std::size_t first_position, std::size_t tokens,
                      const float* q, const float* scales, const float* out) {
  const std::size_t d = c.head_dim;
  const double base_scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(d)));
  for (std::size_t t = 0; t < tokens; ++t) {
    const std::size_t position = first_position + t;
    const double scale = base_scale * (scales == nullptr ? 1.0 : scales[t]);
    for (std::size_t h = 0; h < c.num_heads(); ++h) {
      const std::size_t kv = h / c.group;
      const float* qh = q + (t * c.num_heads() + h) * d;
      std::vector<double> scores(position + 1);
      double score_error = 0;
      double max_value = 0;
      for (std::size_t j = 0; j <= position; ++j) {
        const float* k = sequence.keys.data() + (j * c.num_kv_heads + kv) * d;
        const float* v = sequence.values.data() + (j * c.num_kv_heads + kv) * d;
        double dot = 0, magnitude = 0;
        for (std::size_t i = 0; i < d; ++i) {
          dot += static_cast<double>(qh[i]) * k[i];
          magnitude += std::fabs(static_cast<double>(qh[i]) * k[i]);
          max_value = std::max(max_value, static_cast<double>(std::fabs(v[i])));
        }
        scores[j] = dot * scale;
        score_error = std::max(score_error, (static_cast<double>(d) / 4 + 10) * kFloatUnitRoundoff * magnitude * scale);
      }
      const double max = *std::max_element(scores.begin(), scores.end());
      double sum = 0, spread = 0;
      for (const double s : scores) {
        sum += std::exp(s - max);
        spread = std::max(spread, max - s);
      }
      const double keys = static_cast<double>(position + 1);
      const double probability_error = 2 * (2 * score_error + (spread + 4) * kFloatUnitRoundoff);
      const double accumulation_error = (keys + 3 * (keys / 3 + 1) + 64 + 60) * kFloatUnitRoundoff;
      const double tolerance = (2 * probability_error + accumulation_error) * max_value;
      for (std::size_t i = 0; i < d; ++i) {
        double exact = 0;
        for (std::size_t j = 0; j <= position; ++j) {
          exact += std::exp(scores[j] - max) / sum * sequence.values[(j * c.num_kv_heads + kv) * d + i];
        }
        ASSERT_NEAR(out[(t * c.num_heads() + h) * d + i], exact, tolerance)
            << "token " << t << " (position " << position << "), head " << h << ", dim " << i;
      }
    }
  }
}

class PagedAttentionTest : public testing::SimdLevelTest {};

TEST_P(PagedAttentionTest, ChunkedPrefillThenDecodeMatchesDenseAttention) {
  ThreadPool pool(3);
  std::mt19937 rng(21);
  const Config configs[] = {{2, 1, 64, 16}, {2, 2, 20, 5}, {1, 7, 128, 16}, {2, 7, 64, 3}, {4, 2, 17, 1}};
  for (const Config& c : configs) {
    SCOPED_TRACE(::testing::Message() << "kv heads " << c.num_kv_heads << ", group " << c.group << ", head_dim "
                                      << c.head_dim << ", block_size " << c.block_size);
    const PagedKvLayout layout{c.block_size, 64, c.num_kv_heads, c.head_dim};
    KvCacheStorage storage(layout, 2);
    const KvLayer cache = storage.layer(1);
    std::vector<std::int32_t> free_blocks(64);
    std::iota(free_blocks.begin(), free_blocks.end(), 0);
    Sequence sequence;
    const std::size_t total = 45;
    sequence.block_table = scattered_blocks(rng, free_blocks, (total + c.block_size - 1) / c.block_size);
    // Two prefill chunks (the second starts mid-block and mid-sequence), then single-token decode steps.
    for (const std::size_t chunk : {13u, 28u, 1u, 1u, 1u, 1u}) {
      const std::size_t first_position = sequence.length;
      append(rng, cache, sequence, chunk);
      const std::vector<float> q = random_floats(rng, chunk * c.num_heads() * c.head_dim, -2.0f, 2.0f);
      const std::vector<float> scales = random_floats(rng, chunk, 1.0f, 1.5f);
      std::vector<float> out(q.size());
      paged_attention(pool, cache, sequence.block_table, first_position, c.num_heads(), q, {}, out);
      expect_attention(c, sequence, first_position, chunk, q.data(), nullptr, out.data());
      paged_attention(pool, cache, sequence.block_table, first_position, c.num_heads(), q, scales, out);
      expect_attention(c, sequence, first_position, chunk, q.data(), scales.data(), out.data());
    }
  }
}

TEST_P(PagedAttentionTest, SequencesOfABatchAttendOnlyToTheirOwnBlocks) {
  ThreadPool pool(3);
  std::mt19937 rng(22);
  const Config c{2, 7, 64, 4};
  const PagedKvLayout layout{c.block_size, 40, c.num_kv_heads, c.head_dim};
  KvCacheStorage storage(layout, 1);
  const KvLayer cache = storage.layer(0);
  std::vector<std::int32_t> free_blocks(40);
  std::iota(free_blocks.begin(), free_blocks.end(), 0);
  std::vector<Sequence> sequences(3);
  const std::size_t history[] = {0, 30, 17};  // tokens already cached
  const std::size_t fresh[] = {9, 1, 5};      // tokens in this step: a first chunk, a decode, a later chunk
  for (std::size_t s = 0; s < 3; ++s) {
    sequences[s].block_table = scattered_blocks(rng, free_blocks, (history[s] + fresh[s] + 3) / 4);
    if (history[s] > 0) append(rng, cache, sequences[s], history[s]);
    append(rng, cache, sequences[s], fresh[s]);
  }
  std::vector<AttentionSequence> batch;
  std::size_t tokens = 0;
  for (std::size_t s = 0; s < 3; ++s) {
    batch.push_back({sequences[s].block_table, history[s], fresh[s]});
    tokens += fresh[s];
  }
  const std::size_t token_floats = c.num_heads() * c.head_dim;
  const std::vector<float> q = random_floats(rng, tokens * token_floats, -2.0f, 2.0f);
  std::vector<float> out(q.size());
  paged_attention(pool, cache, batch, c.num_heads(), q, {}, out);
  std::size_t row = 0;
  for (std::size_t s = 0; s < 3; ++s) {
    SCOPED_TRACE(::testing::Message() << "sequence " << s);
    expect_attention(c, sequences[s], history[s], fresh[s], q.data() + row * token_floats, nullptr,
                     out.data() + row * token_floats);
    row += fresh[s];
  }
}

TEST_P(PagedAttentionTest, LongContextsSplitTheirKeysAcrossThreads) {
  // One decode token over 1500 keys has one tile per KV head, so the keys are split into ranges that
  // are merged afterwards; a pool of one must give the same answer without splitting.
  std::mt19937 rng(23);
  const Config c{2, 2, 64, 16};
  const PagedKvLayout layout{c.block_size, 100, c.num_kv_heads, c.head_dim};
  KvCacheStorage storage(layout, 1);
  const KvLayer cache = storage.layer(0);
  std::vector<std::int32_t> free_blocks(100);
  std::iota(free_blocks.begin(), free_blocks.end(), 0);
  Sequence sequence;
  sequence.block_table = scattered_blocks(rng, free_blocks, 95);
  append(rng, cache, sequence, 1497);
  for (const std::size_t threads : {1u, 4u}) {
    ThreadPool pool(threads);
    for (const std::size_t tokens : {1u, 3u}) {
      SCOPED_TRACE(::testing::Message() << threads << " threads, " << tokens << " tokens");
      const std::size_t first_position = 1497 - tokens;
      const std::vector<float> q = random_floats(rng, tokens * c.num_heads() * c.head_dim, -2.0f, 2.0f);
      std::vector<float> out(q.size());
      paged_attention(pool, cache, sequence.block_table, first_position, c.num_heads(), q, {}, out);
      expect_attention(c, sequence, first_position, tokens, q.data(), nullptr, out.data());
    }
  }
}

QWENRT_INSTANTIATE_FOR_SIMD_LEVELS(PagedAttentionTest);

TEST(PagedKvCache, StorageHandsOutOneDisjointRangePerLayer) {
  const PagedKvLayout layout{16, 10, 2, 64};
  EXPECT_EQ(layout.slot_elements(), 128u);
  EXPECT_EQ(layout.block_elements(), 2048u);
  EXPECT_EQ(layout.layer_elements(), 20480u);
  KvCacheStorage storage(layout, 3);
  EXPECT_EQ(storage.bytes(), 3u * 2 * 20480 * sizeof(float));
  const KvLayer first = storage.layer(0);
  const KvLayer last = storage.layer(2);
  EXPECT_EQ(first.keys.size(), 20480u);
  EXPECT_EQ(first.values.data(), first.keys.data() + 20480);
  EXPECT_EQ(last.values.data() + 20480, first.keys.data() + storage.bytes() / sizeof(float));
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(first.keys.data()) % 64, 0u);
  EXPECT_THROW(storage.layer(3), Error);
  EXPECT_THROW(KvCacheStorage(PagedKvLayout{0, 10, 2, 64}, 1), Error);
  EXPECT_THROW(KvCacheStorage(layout, 0), Error);
}

TEST(PagedKvCache, WriteStoresEachTokenInItsBlockSlot) {
  const PagedKvLayout layout{4, 8, 2, 3};
  KvCacheStorage storage(layout, 1);
  const KvLayer cache = storage.layer(0);
  const std::vector<std::int32_t> table = {5, 2, 7};
  std::vector<float> k(3 * 6), v(3 * 6);
  std::iota(k.begin(), k.end(), 100.0f);
  std::iota(v.begin(), v.end(), 200.0f);
  kv_cache_write(cache, table, 3, k, v);  // positions 3, 4, 5: block 5 slot 3, block 2 slots 0 and 1
  EXPECT_EQ(cache.keys[(5 * 4 + 3) * 6 + 0], 100.0f);
  EXPECT_EQ(cache.keys[(2 * 4 + 0) * 6 + 5], 111.0f);
  EXPECT_EQ(cache.values[(2 * 4 + 1) * 6 + 2], 214.0f);
  try {
    kv_cache_write(cache, std::vector<std::int32_t>{5}, 3, k, v);
    FAIL() << "no error for a short block table";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "kv_cache_write: block table has 1 blocks, position 5 needs 2");
  }
  EXPECT_THROW(kv_cache_write(cache, std::vector<std::int32_t>{5, 8}, 3, k, v), Error);
  EXPECT_THROW(kv_cache_write(cache, table, 3, k, std::span<const float>(v).first(12)), Error);
  EXPECT_THROW(kv_cache_write(cache, table, 3, std::span<const float>(k).first(17), v), Error);
}

TEST(PagedAttention, RejectsBadArguments) {
  ThreadPool pool(2);
  const PagedKvLayout layout{4, 8, 2, 8};
  KvCacheStorage storage(layout, 1);
  const KvLayer cache = storage.layer(0);
  const std::vector<std::int32_t> table = {1, 2};
  std::vector<float> q(2 * 4 * 8), out(q.size());
  EXPECT_THROW(paged_attention(pool, cache, table, 7, 4, q, {}, out), Error);  // position 8 needs 3 blocks
  EXPECT_THROW(paged_attention(pool, cache, std::vector<std::int32_t>{1, 9}, 4, 4, q, {}, out), Error);
  EXPECT_THROW(paged_attention(pool, cache, table, 0, 3, std::span<const float>(q).first(48),
                               {}, std::span<float>(out).first(48)), Error);  // 3 heads over 2 KV heads
  EXPECT_THROW(paged_attention(pool, cache, table, 0, 4, q, std::vector<float>(3), out), Error);
  EXPECT_THROW(paged_attention(pool, cache, table, 0, 4, q, {}, std::span<float>(out).first(60)), Error);
  EXPECT_THROW(paged_attention(pool, cache, table, 0, 4, q, {}, std::span<float>(q)), Error);
}

}  // namespace
}  // namespace qwenrt::cpu
