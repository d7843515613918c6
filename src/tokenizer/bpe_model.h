// Byte-level BPE: turns one pre-tokenized piece into token ids by repeatedly merging the adjacent pair
// of highest priority (lowest rank), leftmost first, as Hugging Face's BPE model and tiktoken both do.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace qwenrt::tokenizer {

class BpeModel {
 public:
  struct Merge {
    TokenId left;
    TokenId right;
  };

  // tokenizer.json: merges in priority order; a pair may merge only if it is listed. ignore_merges is
  // the tokenizer.json flag that makes a piece which is itself a token skip the merges. source names the
  // file in errors.
  static BpeModel from_merges(std::vector<std::string> token_bytes, std::span<const Merge> merges,
                              std::string_view source, bool ignore_merges);
  // tiktoken: ids are ranks, and any two adjacent tokens whose concatenation is a token may merge, at
  // that token's rank.
  static BpeModel from_ranks(std::vector<std::string> token_bytes, std::string_view source);

  BpeModel(BpeModel&&) noexcept;
  BpeModel& operator=(BpeModel&&) noexcept;
  ~BpeModel();

  // Appends the ids of one piece (non-empty).
  void encode_piece(std::string_view piece, std::vector<TokenId>& out) const;

  // The id of a token spelled exactly `bytes`, or -1.
  TokenId find(std::string_view bytes) const;
  std::string_view token_bytes(TokenId id) const { return token_bytes_[static_cast<std::size_t>(id)]; }
  std::size_t size() const { return token_bytes_.size(); }

 private:
  class PairTable;
  class BytesIndex;
  static constexpr std::size_t kShortPiece = 24;  // merge_short's limit in bytes
  enum class WholePiece : std::uint8_t { kUnknown, kSelf, kSplits };

  BpeModel(std::vector<std::string> token_bytes, std::string_view source);
  TokenId find_hashed(std::string_view bytes, std::uint64_t hash) const;
  void merge(std::string_view piece, std::vector<TokenId>& out) const;
  void merge_short(std::string_view piece, std::vector<TokenId>& out) const;
  void merge_long(std::string_view piece, std::vector<TokenId>& out) const;
  void merge_cached(std::string_view piece, std::uint64_t hash, std::vector<TokenId>& out) const;
  void index_byte_pairs();
  // Priority and result of merging two adjacent tokens; priority kNoMerge when they do not merge.
  std::pair<std::uint32_t, TokenId> pair_of(TokenId left, TokenId right) const;
  std::pair<std::uint32_t, TokenId> byte_pair_of(unsigned char left, unsigned char right) const {
    return byte_pairs_[(static_cast<std::size_t>(left) << 8) | right];
  }
  static constexpr std::uint32_t kNoMerge = ~0u;
  bool encodes_as_itself(TokenId id, std::string_view piece) const;

  std::vector<std::string> token_bytes_;
  std::unique_ptr<BytesIndex> index_;
  std::unique_ptr<PairTable> pairs_;
  TokenId byte_ids_[256];
  // Merges of two single-byte tokens, by (first byte << 8 | second byte): every piece starts with these
  // lookups, and this table is small enough to stay in cache where the pair table is not.
  std::vector<std::pair<std::uint32_t, TokenId>> byte_pairs_;
  // A piece that is itself a token is, for tiktoken, always that token. With an explicit merge list it
  // is only if the merges reach it; that is checked once per token on first use and remembered here.
  bool whole_piece_is_token_ = false;
  std::unique_ptr<std::atomic<WholePiece>[]> whole_piece_;
  // Distinguishes models in the per-thread cache of merged pieces.
  std::uint64_t instance_id_;
};

}  // namespace qwenrt::tokenizer
