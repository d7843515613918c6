#include "runtime/kv_block_manager.h"

#include <algorithm>
#include <limits>

#include "core/error.h"

namespace qwenrt::runtime {
namespace {

using tokenizer::TokenId;

// splitmix64's finaliser: every input bit flips about half of the output bits.
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The name of the empty prefix under salt: the first block's parent.
std::uint64_t root_hash(std::uint64_t salt) { return mix(salt ^ 0x9e3779b97f4a7c15ULL); }

std::uint64_t chain_hash(std::uint64_t parent, std::span<const TokenId> tokens) {
  std::uint64_t h = parent;
  for (TokenId t : tokens) h = mix(h ^ mix(static_cast<std::uint32_t>(t) + 0x632be59bd9b4e019ULL));
  return h;
}

}  // namespace

KvBlockManager::KvBlockManager(std::size_t num_blocks, std::size_t block_size) : block_size_(block_size) {
  if (num_blocks == 0 || block_size == 0) {
    fail("KV block manager: needs at least one block of at least one token, got ", num_blocks, " blocks of ",
         block_size);
  }
  if (num_blocks > static_cast<std::size_t>(std::numeric_limits<KvBlockId>::max())) {
    fail("KV block manager: ", num_blocks, " blocks do not fit 32-bit block ids");
  }
  blocks_.resize(num_blocks);
  // Reversed, so that the stack hands out block 0 first.
  for (std::size_t b = num_blocks; b-- > 0;) never_cached_.push_back(static_cast<KvBlockId>(b));
}

std::size_t KvBlockManager::ref_count(KvBlockId block) const {
  if (block < 0 || static_cast<std::size_t>(block) >= blocks_.size()) {
    fail("KV block manager: block ", block, " is outside [0, ", blocks_.size(), ")");
  }
  return blocks_[static_cast<std::size_t>(block)].ref_count;
}

KvBlockManager::SequenceBlocks& KvBlockManager::sequence(SequenceId id) {
  const auto it = sequences_.find(id);
  if (it == sequences_.end()) fail("KV block manager: sequence ", id, " is not open");
  return it->second;
}

const KvBlockManager::SequenceBlocks& KvBlockManager::sequence(SequenceId id) const {
  const auto it = sequences_.find(id);
  if (it == sequences_.end()) fail("KV block manager: sequence ", id, " is not open");
  return it->second;
}

std::span<const KvBlockId> KvBlockManager::block_table(SequenceId id) const { return sequence(id).table; }

KvBlockId KvBlockManager::lookup(BlockHash parent_hash, std::span<const TokenId> tokens) const {
  const auto it = cache_.find(chain_hash(parent_hash, tokens));
  if (it == cache_.end()) return kNone;
  const Block& b = blocks_[static_cast<std::size_t>(it->second)];
  const bool same = b.parent_hash == parent_hash && std::equal(tokens.begin(), tokens.end(), b.tokens.begin(), b.tokens.end());
  return same ? it->second : kNone;
}

CachedPrefix KvBlockManager::find_cached_prefix(std::span<const TokenId> tokens, std::uint64_t salt) const {
  CachedPrefix prefix;
  if (tokens.empty()) return prefix;
  const std::size_t whole_blocks = (tokens.size() - 1) / block_size_;
  BlockHash parent = root_hash(salt);
  for (std::size_t i = 0; i < whole_blocks; ++i) {
    const auto block_tokens = tokens.subspan(i * block_size_, block_size_);
    const KvBlockId b = lookup(parent, block_tokens);
    if (b == kNone) break;
    prefix.tokens += block_size_;
    if (blocks_[static_cast<std::size_t>(b)].ref_count == 0) ++prefix.idle_blocks;
    parent = blocks_[static_cast<std::size_t>(b)].hash;
  }
  return prefix;
}

std::size_t KvBlockManager::open(SequenceId id, std::span<const TokenId> tokens, std::uint64_t salt) {
  if (sequences_.contains(id)) fail("KV block manager: sequence ", id, " is already open");
  SequenceBlocks s;
  s.salt = salt;
  s.last_hash = root_hash(salt);
  const std::size_t hit_blocks = find_cached_prefix(tokens, salt).tokens / block_size_;
  for (std::size_t i = 0; i < hit_blocks; ++i) {
    const KvBlockId b = lookup(s.last_hash, tokens.subspan(i * block_size_, block_size_));
    hold(b);
    s.table.push_back(b);
    s.last_hash = blocks_[static_cast<std::size_t>(b)].hash;
  }
  s.committed_blocks = hit_blocks;
  sequences_.emplace(id, std::move(s));
  return hit_blocks * block_size_;
}

bool KvBlockManager::reserve(SequenceId id, std::size_t tokens) {
  SequenceBlocks& s = sequence(id);
  const std::size_t needed = blocks_for(tokens);
  if (needed <= s.table.size()) return true;
  if (needed - s.table.size() > free_blocks()) return false;
  while (s.table.size() < needed) {
    const KvBlockId b = take_free_block();
    hold(b);
    s.table.push_back(b);
  }
  return true;
}

void KvBlockManager::commit(SequenceId id, std::span<const TokenId> tokens) {
  SequenceBlocks& s = sequence(id);
  if (tokens.size() > s.table.size() * block_size_) {
    fail("KV block manager: sequence ", id, " commits ", tokens.size(), " tokens but holds blocks for ",
         s.table.size() * block_size_);
  }
  const std::size_t full = tokens.size() / block_size_;
  for (std::size_t i = s.committed_blocks; i < full; ++i) {
    const auto block_tokens = tokens.subspan(i * block_size_, block_size_);
    const BlockHash h = chain_hash(s.last_hash, block_tokens);
    Block& b = blocks_[static_cast<std::size_t>(s.table[i])];
    if (!cache_.contains(h)) {
      b.cached = true;
      b.hash = h;
      b.parent_hash = s.last_hash;
      b.tokens.assign(block_tokens.begin(), block_tokens.end());
      cache_.emplace(h, s.table[i]);
    }
    s.last_hash = h;
  }
  s.committed_blocks = std::max(s.committed_blocks, full);
}

void KvBlockManager::release(SequenceId id) {
  SequenceBlocks& s = sequence(id);
  for (auto it = s.table.rbegin(); it != s.table.rend(); ++it) {
    Block& b = blocks_[static_cast<std::size_t>(*it)];
    if (--b.ref_count > 0) continue;
    if (b.cached) {
      queue_idle(*it);
    } else {
      never_cached_.push_back(*it);
    }
  }
  sequences_.erase(id);
}

KvBlockId KvBlockManager::take_free_block() {
  if (!never_cached_.empty()) {
    const KvBlockId b = never_cached_.back();
    never_cached_.pop_back();
    return b;
  }
  const KvBlockId b = oldest_idle_;
  if (b == kNone) fail("KV block manager: no free block (reserve checks first)");
  unqueue_idle(b);
  Block& block = blocks_[static_cast<std::size_t>(b)];
  cache_.erase(block.hash);
  block.cached = false;
  block.tokens.clear();
  ++evictions_;
  return b;
}

void KvBlockManager::hold(KvBlockId block) {
  Block& b = blocks_[static_cast<std::size_t>(block)];
  if (b.ref_count++ == 0 && b.cached) unqueue_idle(block);
}

void KvBlockManager::queue_idle(KvBlockId block) {
  Block& b = blocks_[static_cast<std::size_t>(block)];
  b.older = newest_idle_;
  b.newer = kNone;
  if (newest_idle_ != kNone) blocks_[static_cast<std::size_t>(newest_idle_)].newer = block;
  newest_idle_ = block;
  if (oldest_idle_ == kNone) oldest_idle_ = block;
  ++idle_cached_;
}

void KvBlockManager::unqueue_idle(KvBlockId block) {
  Block& b = blocks_[static_cast<std::size_t>(block)];
  if (b.older != kNone) {
    blocks_[static_cast<std::size_t>(b.older)].newer = b.newer;
  } else {
    oldest_idle_ = b.newer;
  }
  if (b.newer != kNone) {
    blocks_[static_cast<std::size_t>(b.newer)].older = b.older;
  } else {
    newest_idle_ = b.older;
  }
  b.older = b.newer = kNone;
  --idle_cached_;
}

}  // namespace qwenrt::runtime
