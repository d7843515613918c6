// Shares the KV cache's blocks out among sequences, with automatic prefix caching as vLLM does it.
// A full block is named by a hash of its parent block's hash and its own token ids, so equal prefixes
// (a shared system prompt, the earlier turns of a conversation) get equal chains of names and their
// keys and values are computed once: a new sequence adopts the cached blocks of its longest cached
// prefix and its prefill starts after them. Blocks are reference counted; a cached block that no
// sequence holds any more stays reusable until allocation needs its memory, the least recently
// released first. Only full blocks are shared: a sequence writes only to its last, private block.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace qwenrt::runtime {

using KvBlockId = std::int32_t;
using SequenceId = std::uint64_t;

struct CachedPrefix {
  std::size_t tokens = 0;       // leading tokens whose keys and values are cached, in whole blocks
  std::size_t idle_blocks = 0;  // of those blocks, the ones no sequence holds (they count as free now)
};

class KvBlockManager {
 public:
  // Throws Error when either count is 0 or the block ids would not fit a KvBlockId.
  KvBlockManager(std::size_t num_blocks, std::size_t block_size);

  std::size_t block_size() const { return block_size_; }
  std::size_t total_blocks() const { return blocks_.size(); }
  // Blocks that no sequence holds: never filled, or holding a cached prefix that may be evicted.
  std::size_t free_blocks() const { return never_cached_.size() + idle_cached_; }
  // Blocks whose contents are registered for reuse, held by sequences or idle.
  std::size_t cached_blocks() const { return cache_.size(); }
  // Cached blocks that no sequence holds (part of free_blocks()).
  std::size_t idle_cached_blocks() const { return idle_cached_; }
  // Cached blocks given to other contents so far.
  std::uint64_t evictions() const { return evictions_; }
  std::size_t blocks_for(std::size_t tokens) const { return (tokens + block_size_ - 1) / block_size_; }
  std::size_t ref_count(KvBlockId block) const;

  // The longest run of whole leading blocks of tokens that is cached under salt. salt stands for
  // anything besides the tokens that changes their keys and values (Qwen v1's dynamic-NTK rotary base
  // is set by the prompt's length): blocks are shared only between equal salts. The last token is
  // never counted, since a forward step must run at least one token to give the next token's logits.
  CachedPrefix find_cached_prefix(std::span<const tokenizer::TokenId> tokens, std::uint64_t salt) const;

  // Starts sequence id with the blocks of find_cached_prefix(tokens, salt), shared with whoever holds
  // them, and returns how many tokens they cover: its prefill starts there. Throws Error when id is
  // already open.
  std::size_t open(SequenceId id, std::span<const tokenizer::TokenId> tokens, std::uint64_t salt);

  // Grows sequence id's block table to cover positions [0, tokens), taking never-filled blocks first,
  // then evicting the least recently released idle cached ones. Returns false, changing nothing, when
  // too few blocks are free.
  bool reserve(SequenceId id, std::size_t tokens);

  // The keys and values of the sequence's first tokens.size() tokens are now written: every block
  // that became full is registered for reuse. A block whose contents are already cached elsewhere
  // (two equal prompts prefilled side by side) stays private and is simply freed later.
  void commit(SequenceId id, std::span<const tokenizer::TokenId> tokens);

  // Ends sequence id: each of its blocks loses a holder, and a block that nobody holds becomes free;
  // its cached contents stay reusable until evicted. The later blocks of the sequence are queued for
  // eviction before the earlier ones, which more sequences are likely to share.
  void release(SequenceId id);

  // Throws Error when id is not open.
  std::span<const KvBlockId> block_table(SequenceId id) const;
  bool is_open(SequenceId id) const { return sequences_.contains(id); }
  std::size_t open_sequences() const { return sequences_.size(); }

 private:
  using BlockHash = std::uint64_t;
  static constexpr KvBlockId kNone = -1;

  struct Block {
    std::size_t ref_count = 0;
    bool cached = false;
    BlockHash hash = 0;
    // Kept to confirm a hash match, so a hash collision can never hand out another prefix's keys.
    BlockHash parent_hash = 0;
    std::vector<tokenizer::TokenId> tokens;
    KvBlockId older = kNone, newer = kNone;  // links in the eviction queue while idle and cached
  };
  struct SequenceBlocks {
    std::vector<KvBlockId> table;
    std::uint64_t salt = 0;
    std::size_t committed_blocks = 0;  // leading full blocks already hashed
    BlockHash last_hash = 0;           // hash of the last of those (the chain's root when none)
  };

  SequenceBlocks& sequence(SequenceId id);
  const SequenceBlocks& sequence(SequenceId id) const;
  // The cached block holding tokens after the prefix named parent_hash, or kNone.
  KvBlockId lookup(BlockHash parent_hash, std::span<const tokenizer::TokenId> tokens) const;
  KvBlockId take_free_block();
  void hold(KvBlockId block);
  void queue_idle(KvBlockId block);
  void unqueue_idle(KvBlockId block);

  std::size_t block_size_;
  std::vector<Block> blocks_;
  std::vector<KvBlockId> never_cached_;  // free blocks with nothing worth keeping
  KvBlockId oldest_idle_ = kNone, newest_idle_ = kNone;
  std::size_t idle_cached_ = 0;
  std::unordered_map<BlockHash, KvBlockId> cache_;
  std::unordered_map<SequenceId, SequenceBlocks> sequences_;
  std::uint64_t evictions_ = 0;
};

}  // namespace qwenrt::runtime
