// The KV block manager on its own: allocation, prefix hits, sharing, eviction order, and thousands of
// random sequence lifetimes that must give every block back.
#include "runtime/kv_block_manager.h"

#include <gtest/gtest.h>

#include <map>
#include <numeric>
#include <random>
#include <set>

#include "core/error.h"

namespace qwenrt::runtime {
namespace {

using tokenizer::TokenId;

std::vector<TokenId> iota_tokens(std::size_t n, TokenId first) {
  std::vector<TokenId> ids(n);
  std::iota(ids.begin(), ids.end(), first);
  return ids;
}

// Opens a sequence, gives it blocks for all of tokens and marks them computed, as a prefill does.
std::size_t prefill(KvBlockManager& m, SequenceId id, const std::vector<TokenId>& tokens, std::uint64_t salt = 0) {
  const std::size_t cached = m.open(id, tokens, salt);
  EXPECT_TRUE(m.reserve(id, tokens.size()));
  m.commit(id, tokens);
  return cached;
}

TEST(KvBlockManager, ReservesDistinctBlocksAndRefusesWhatIsNotFree) {
  KvBlockManager m(8, 4);
  EXPECT_EQ(m.free_blocks(), 8u);
  m.open(1, {}, 0);
  ASSERT_TRUE(m.reserve(1, 10));
  EXPECT_EQ(m.block_table(1).size(), 3u);
  EXPECT_TRUE(m.reserve(1, 12));  // still three blocks
  EXPECT_EQ(m.free_blocks(), 5u);
  m.open(2, {}, 0);
  EXPECT_FALSE(m.reserve(2, 21));  // six blocks, five free: nothing changes
  EXPECT_EQ(m.block_table(2).size(), 0u);
  EXPECT_EQ(m.free_blocks(), 5u);
  ASSERT_TRUE(m.reserve(2, 20));
  EXPECT_EQ(m.free_blocks(), 0u);
  std::set<KvBlockId> all;
  for (SequenceId id : {1, 2}) {
    for (KvBlockId b : m.block_table(id)) {
      EXPECT_TRUE(all.insert(b).second) << "block " << b << " given twice";
      EXPECT_EQ(m.ref_count(b), 1u);
    }
  }
  m.release(1);
  m.release(2);
  EXPECT_EQ(m.free_blocks(), 8u);
  EXPECT_EQ(m.cached_blocks(), 0u);  // nothing committed
}

TEST(KvBlockManager, ReportsMisuseClearly) {
  EXPECT_THROW(KvBlockManager(0, 16), Error);
  EXPECT_THROW(KvBlockManager(4, 0), Error);
  KvBlockManager m(4, 4);
  m.open(1, {}, 0);
  EXPECT_THROW(m.open(1, {}, 0), Error);
  EXPECT_THROW(m.block_table(2), Error);
  EXPECT_THROW(m.release(2), Error);
  EXPECT_THROW(m.commit(1, iota_tokens(5, 0)), Error);  // no blocks for them
  EXPECT_THROW(m.ref_count(4), Error);
}

TEST(KvBlockManager, SharesTheLongestCachedPrefixOfWholeBlocks) {
  KvBlockManager m(16, 4);
  const auto a = iota_tokens(14, 100);  // three full blocks and two tokens
  EXPECT_EQ(prefill(m, 1, a), 0u);
  EXPECT_EQ(m.cached_blocks(), 3u);

  // Same first 13 tokens, then different: the three full blocks are shared.
  auto b = a;
  b[13] = 7;
  b.push_back(8);
  const CachedPrefix hit = m.find_cached_prefix(b, 0);
  EXPECT_EQ(hit.tokens, 12u);
  EXPECT_EQ(hit.idle_blocks, 0u);  // all held by sequence 1
  EXPECT_EQ(prefill(m, 2, b), 12u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(m.block_table(2)[i], m.block_table(1)[i]);
    EXPECT_EQ(m.ref_count(m.block_table(1)[i]), 2u);
  }
  EXPECT_NE(m.block_table(2)[3], m.block_table(1)[3]);  // the partial last block is private

  // A change in block 1 leaves only block 0; a different salt shares nothing.
  auto c = a;
  c[5] = 999;
  EXPECT_EQ(m.find_cached_prefix(c, 0).tokens, 4u);
  EXPECT_EQ(m.find_cached_prefix(a, 1).tokens, 0u);
  // Equal tokens after a different first block are a different prefix.
  auto d = a;
  d[0] = 999;
  EXPECT_EQ(m.find_cached_prefix(d, 0).tokens, 0u);
}

TEST(KvBlockManager, LeavesTheLastTokenToCompute) {
  KvBlockManager m(8, 4);
  const auto a = iota_tokens(8, 0);
  prefill(m, 1, a);
  EXPECT_EQ(m.cached_blocks(), 2u);
  // All eight tokens are cached, but a forward step needs one token to produce logits: the second
  // block is computed again, privately, and not cached twice.
  EXPECT_EQ(prefill(m, 2, a), 4u);
  EXPECT_NE(m.block_table(2)[1], m.block_table(1)[1]);
  EXPECT_EQ(m.cached_blocks(), 2u);
  m.release(1);
  m.release(2);
  EXPECT_EQ(m.free_blocks(), 8u);
  EXPECT_EQ(m.idle_cached_blocks(), 2u);
}

TEST(KvBlockManager, SharedBlocksAreFreedByTheirLastHolderAndStayCachedWhileIdle) {
  KvBlockManager m(8, 4);
  const auto a = iota_tokens(9, 0);
  prefill(m, 1, a);
  prefill(m, 2, a);
  EXPECT_EQ(m.free_blocks(), 8u - 4u);  // two shared, one private each
  m.release(1);
  EXPECT_EQ(m.free_blocks(), 8u - 3u);  // sequence 1's private block only
  EXPECT_EQ(m.ref_count(m.block_table(2)[0]), 1u);
  m.release(2);
  EXPECT_EQ(m.free_blocks(), 8u);
  EXPECT_EQ(m.cached_blocks(), 2u);
  const CachedPrefix hit = m.find_cached_prefix(a, 0);
  EXPECT_EQ(hit.tokens, 8u);
  EXPECT_EQ(hit.idle_blocks, 2u);
  // Adopting idle cached blocks takes them off the free count.
  EXPECT_EQ(prefill(m, 3, a), 8u);
  EXPECT_EQ(m.free_blocks(), 8u - 3u);
  EXPECT_EQ(m.idle_cached_blocks(), 0u);
}

TEST(KvBlockManager, EvictsTheLeastRecentlyReleasedAndLaterBlocksFirst) {
  KvBlockManager m(8, 4);
  const auto p = iota_tokens(13, 0);    // three full blocks
  const auto q = iota_tokens(13, 500);  // three more
  prefill(m, 1, p);
  prefill(m, 2, q);
  m.release(1);
  m.release(2);
  EXPECT_EQ(m.idle_cached_blocks(), 6u);
  // Two never-cached blocks are used before any cached one is touched.
  m.open(3, {}, 0);
  ASSERT_TRUE(m.reserve(3, 8));
  EXPECT_EQ(m.evictions(), 0u);
  // The next block evicts p's last block (p was released first), then its middle one.
  ASSERT_TRUE(m.reserve(3, 12));
  EXPECT_EQ(m.evictions(), 1u);
  EXPECT_EQ(m.find_cached_prefix(p, 0).tokens, 8u);
  ASSERT_TRUE(m.reserve(3, 16));
  EXPECT_EQ(m.find_cached_prefix(p, 0).tokens, 4u);
  EXPECT_EQ(m.find_cached_prefix(q, 0).tokens, 12u);
  // A hit moves p's first block to the back of the queue, so q's last block goes next instead.
  EXPECT_EQ(m.open(4, p, 0), 4u);
  m.release(4);
  ASSERT_TRUE(m.reserve(3, 20));
  EXPECT_EQ(m.find_cached_prefix(p, 0).tokens, 4u);
  EXPECT_EQ(m.find_cached_prefix(q, 0).tokens, 8u);
  m.release(3);
  EXPECT_EQ(m.free_blocks(), 8u);
}

TEST(KvBlockManager, EqualPromptsPrefilledSideBySideKeepOneCachedCopy) {
  KvBlockManager m(8, 4);
  const auto a = iota_tokens(9, 0);
  EXPECT_EQ(m.open(1, a, 0), 0u);
  EXPECT_EQ(m.open(2, a, 0), 0u);  // nothing committed yet
  ASSERT_TRUE(m.reserve(1, 9));
  ASSERT_TRUE(m.reserve(2, 9));
  m.commit(1, a);
  m.commit(2, a);
  EXPECT_EQ(m.cached_blocks(), 2u);
  m.release(2);
  m.release(1);
  EXPECT_EQ(m.free_blocks(), 8u);
  EXPECT_EQ(m.idle_cached_blocks(), 2u);
  EXPECT_EQ(m.find_cached_prefix(a, 0).tokens, 8u);
}

// Many sequences come and go at random: they share prefixes, grow token by token as decoding does,
// get released part way (cancels) or released and reopened from scratch (preemptions). After every
// operation the reference counts must equal the holders, a block being written must be private, and
// at the end every block must be free again.
TEST(KvBlockManager, RandomLifetimesLeakNothing) {
  constexpr std::size_t kBlocks = 48, kBlockSize = 4;
  KvBlockManager m(kBlocks, kBlockSize);
  std::mt19937 random(7);
  const std::vector<std::vector<TokenId>> prefixes = {iota_tokens(9, 0), iota_tokens(16, 50), iota_tokens(3, 90)};
  struct Live {
    std::vector<TokenId> tokens;
    std::size_t computed = 0;
    std::uint64_t salt = 0;
  };
  std::map<SequenceId, Live> live;
  SequenceId next = 1;
  std::size_t hits = 0;

  const auto check = [&] {
    std::map<KvBlockId, std::size_t> holders;
    for (const auto& [id, s] : live) {
      const auto table = m.block_table(id);
      for (std::size_t i = 0; i < table.size(); ++i) {
        ++holders[table[i]];
        // Blocks at or after the first one still being written belong to this sequence alone.
        if (i >= s.computed / kBlockSize) {
          ASSERT_EQ(m.ref_count(table[i]), 1u) << "sequence " << id << " block " << i;
        }
      }
    }
    for (KvBlockId b = 0; b < static_cast<KvBlockId>(kBlocks); ++b) {
      const auto it = holders.find(b);
      ASSERT_EQ(m.ref_count(b), it == holders.end() ? 0u : it->second) << "block " << b;
    }
    ASSERT_EQ(m.free_blocks() + holders.size(), kBlocks);
  };

  for (int op = 0; op < 20000; ++op) {
    const unsigned kind = random() % 10;
    if (kind < 3 && live.size() < 12) {
      Live s;
      s.tokens = prefixes[random() % prefixes.size()];
      for (std::size_t n = random() % 10; n > 0; --n) s.tokens.push_back(static_cast<TokenId>(random() % 4));
      s.salt = random() % 4 == 0 ? 1 : 0;
      s.computed = m.open(next, s.tokens, s.salt);
      hits += s.computed;
      live.emplace(next++, std::move(s));
    } else if (kind < 8 && !live.empty()) {
      // Compute the next chunk (a prefill chunk or one decode token), then maybe append a sample.
      auto it = std::next(live.begin(), static_cast<std::ptrdiff_t>(random() % live.size()));
      Live& s = it->second;
      const std::size_t chunk = std::min<std::size_t>(s.tokens.size() - s.computed, 1 + random() % 6);
      if (chunk > 0 && m.reserve(it->first, s.computed + chunk)) {
        s.computed += chunk;
        m.commit(it->first, std::span(s.tokens).first(s.computed));
        if (s.computed == s.tokens.size()) s.tokens.push_back(static_cast<TokenId>(random() % 4));
      }
    } else if (!live.empty()) {
      auto it = std::next(live.begin(), static_cast<std::ptrdiff_t>(random() % live.size()));
      m.release(it->first);
      if (kind == 8) {
        live.erase(it);  // finished or cancelled
      } else {
        it->second.computed = m.open(it->first, it->second.tokens, it->second.salt);  // preempted, recomputed
      }
    }
    check();
    if (::testing::Test::HasFatalFailure()) return;
  }
  for (const auto& [id, s] : live) m.release(id);
  EXPECT_EQ(m.free_blocks(), kBlocks);
  EXPECT_EQ(m.open_sequences(), 0u);
  EXPECT_GT(hits, 0u);
  EXPECT_GT(m.evictions(), 0u);
}

}  // namespace
}  // namespace qwenrt::runtime
