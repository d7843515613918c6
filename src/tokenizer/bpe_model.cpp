#include "tokenizer/bpe_model.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <tuple>

#include "core/error.h"

namespace qwenrt::tokenizer {
namespace {

std::uint64_t hash_bytes(std::string_view s) {
  std::uint64_t h = 0x9E3779B97F4A7C15ull ^ s.size();
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, s.data() + i, s.size() - i);
  h = (h ^ tail) * 0x94D049BB133111EBull;
  return h ^ (h >> 29);
}

std::size_t table_capacity(std::size_t entries) { return std::bit_ceil(std::max<std::size_t>(16, entries * 2)); }

}  // namespace

// Open-addressing map from an adjacent pair of ids to (priority, merged id).
class BpeModel::PairTable {
 public:
  struct Value {
    std::uint32_t priority;
    TokenId merged;
  };

  explicit PairTable(std::size_t entries) : slots_(table_capacity(entries)), mask_(slots_.size() - 1) {}

  // Keeps the first value given for a pair (the higher priority one). Grows to stay at most half full.
  void insert(TokenId left, TokenId right, Value value) {
    if (2 * (used_ + 1) > slots_.size()) grow();
    place(make_key(left, right), value);
  }

  const Value* find(TokenId left, TokenId right) const {
    const std::uint64_t key = make_key(left, right);
    for (std::size_t i = slot(key);; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return &slots_[i].value;
      if (slots_[i].key == kEmpty) return nullptr;
    }
  }

 private:
  static constexpr std::uint64_t kEmpty = ~0ull;
  struct Slot {
    std::uint64_t key = kEmpty;
    Value value{};
  };
  static std::uint64_t make_key(TokenId l, TokenId r) {
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(l)) << 32) | static_cast<std::uint32_t>(r);
  }
  std::size_t slot(std::uint64_t key) const {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> 20) & mask_;
  }
  void place(std::uint64_t key, Value value) {
    for (std::size_t i = slot(key);; i = (i + 1) & mask_) {
      if (slots_[i].key == kEmpty) {
        slots_[i] = {key, value};
        ++used_;
        return;
      }
      if (slots_[i].key == key) return;
    }
  }
  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    mask_ = slots_.size() - 1;
    used_ = 0;
    for (const Slot& s : old) {
      if (s.key != kEmpty) place(s.key, s.value);
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_;
  std::size_t used_ = 0;
};

// Open-addressing map from token bytes to id. It stores only hashes and ids: the keys are the model's
// own token_bytes_, passed in on each call, so moving the model never leaves the index pointing at the
// moved-from strings.
class BpeModel::BytesIndex {
 public:
  explicit BytesIndex(std::size_t entries) : slots_(table_capacity(entries)), mask_(slots_.size() - 1) {}

  // False when the bytes are already present under another id.
  bool insert(TokenId id, const std::vector<std::string>& tokens) {
    const std::string_view key = tokens[static_cast<std::size_t>(id)];
    const std::uint64_t h = hash_bytes(key);
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      if (slots_[i].id < 0) {
        slots_[i] = {h, id};
        return true;
      }
      if (slots_[i].hash == h && tokens[static_cast<std::size_t>(slots_[i].id)] == key) return false;
    }
  }

  TokenId find(std::string_view key, std::uint64_t h, const std::vector<std::string>& tokens) const {
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.id < 0) return -1;
      if (s.hash == h && tokens[static_cast<std::size_t>(s.id)] == key) return s.id;
    }
  }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    TokenId id = -1;
  };
  std::vector<Slot> slots_;
  std::size_t mask_;
};

BpeModel::BpeModel(std::vector<std::string> token_bytes, std::string_view source)
    : token_bytes_(std::move(token_bytes)) {
  static std::atomic<std::uint64_t> instances{0};
  instance_id_ = ++instances;
  index_ = std::make_unique<BytesIndex>(token_bytes_.size());
  for (std::size_t id = 0; id < token_bytes_.size(); ++id) {
    if (token_bytes_[id].empty()) continue;  // an unused id
    if (!index_->insert(static_cast<TokenId>(id), token_bytes_)) fail(source, ": token ", id, " duplicates another token's bytes");
  }
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    byte_ids_[b] = find(std::string_view(&c, 1));
    if (byte_ids_[b] < 0) fail(source, ": the vocabulary has no token for byte ", b, ", so byte-level BPE cannot encode it");
  }
  whole_piece_ = std::make_unique<std::atomic<WholePiece>[]>(token_bytes_.size());
}

BpeModel::BpeModel(BpeModel&&) noexcept = default;
BpeModel& BpeModel::operator=(BpeModel&&) noexcept = default;
BpeModel::~BpeModel() = default;

BpeModel BpeModel::from_merges(std::vector<std::string> token_bytes, std::span<const Merge> merges,
                               std::string_view source, bool ignore_merges) {
  BpeModel model(std::move(token_bytes), source);
  model.whole_piece_is_token_ = ignore_merges;
  model.pairs_ = std::make_unique<PairTable>(merges.size());
  std::string joined;
  for (std::size_t i = 0; i < merges.size(); ++i) {
    const Merge& m = merges[i];
    joined.assign(model.token_bytes(m.left));
    joined += model.token_bytes(m.right);
    const TokenId merged = model.find(joined);
    if (merged < 0) fail(source, ": merge ", i, " joins tokens ", m.left, " and ", m.right, " into bytes that are not in the vocabulary");
    model.pairs_->insert(m.left, m.right, {static_cast<std::uint32_t>(i), merged});
  }
  model.index_byte_pairs();
  return model;
}

BpeModel BpeModel::from_ranks(std::vector<std::string> token_bytes, std::string_view source) {
  BpeModel model(std::move(token_bytes), source);
  model.whole_piece_is_token_ = true;
  model.pairs_ = std::make_unique<PairTable>(2 * model.token_bytes_.size());
  for (std::size_t id = 0; id < model.token_bytes_.size(); ++id) {
    const std::string_view t = model.token_bytes_[id];
    for (std::size_t k = 1; k < t.size(); ++k) {
      const TokenId left = model.find(t.substr(0, k));
      if (left < 0) continue;
      const TokenId right = model.find(t.substr(k));
      if (right < 0) continue;
      model.pairs_->insert(left, right, {static_cast<std::uint32_t>(id), static_cast<TokenId>(id)});
    }
  }
  model.index_byte_pairs();
  return model;
}

void BpeModel::index_byte_pairs() {
  byte_pairs_.resize(256 * 256);
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) byte_pairs_[static_cast<std::size_t>(a << 8 | b)] = pair_of(byte_ids_[a], byte_ids_[b]);
  }
}

std::pair<std::uint32_t, TokenId> BpeModel::pair_of(TokenId left, TokenId right) const {
  const PairTable::Value* v = pairs_->find(left, right);
  return v ? std::pair{v->priority, v->merged} : std::pair{kNoMerge, TokenId{-1}};
}

TokenId BpeModel::find(std::string_view bytes) const { return find_hashed(bytes, hash_bytes(bytes)); }

TokenId BpeModel::find_hashed(std::string_view bytes, std::uint64_t hash) const {
  return index_->find(bytes, hash, token_bytes_);
}

void BpeModel::encode_piece(std::string_view piece, std::vector<TokenId>& out) const {
  if (piece.size() == 1) {
    out.push_back(byte_ids_[static_cast<unsigned char>(piece[0])]);
    return;
  }
  const std::uint64_t hash = hash_bytes(piece);
  const TokenId whole = find_hashed(piece, hash);
  if (whole >= 0 && (whole_piece_is_token_ || encodes_as_itself(whole, piece))) {
    out.push_back(whole);
    return;
  }
  merge_cached(piece, hash, out);
}

void BpeModel::merge_cached(std::string_view piece, std::uint64_t hash, std::vector<TokenId>& out) const {
  // Words recur, so a small direct-mapped cache per thread skips most merging of natural text. Each
  // thread has its own, so encoding stays lock-free.
  struct Slot {
    std::uint64_t hash = 0;
    std::uint64_t model = 0;
    std::string piece;
    std::vector<TokenId> ids;
  };
  constexpr std::size_t kSlots = 1 << 14;
  constexpr std::size_t kMaxPiece = 256;  // longer pieces rarely recur and would pin memory
  thread_local std::vector<Slot> cache(kSlots);
  Slot& slot = cache[(hash >> 7) & (kSlots - 1)];
  if (slot.model == instance_id_ && slot.hash == hash && slot.piece == piece) {
    out.insert(out.end(), slot.ids.begin(), slot.ids.end());
    return;
  }
  const std::size_t first = out.size();
  merge(piece, out);
  if (piece.size() <= kMaxPiece) {
    slot.hash = hash;
    slot.model = instance_id_;
    slot.piece.assign(piece);
    slot.ids.assign(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
  }
}

void BpeModel::merge(std::string_view piece, std::vector<TokenId>& out) const {
  if (piece.size() <= kShortPiece) {
    merge_short(piece, out);
  } else {
    merge_long(piece, out);
  }
}

void BpeModel::merge_short(std::string_view piece, std::vector<TokenId>& out) const {
  // For a few symbols a linear scan for the best pair beats any heap: arrays on the stack, one pass.
  TokenId ids[kShortPiece];
  std::uint32_t priority[kShortPiece];  // of the pair (ids[i], ids[i + 1])
  TokenId merged[kShortPiece];
  std::size_t n = piece.size();
  for (std::size_t i = 0; i < n; ++i) ids[i] = byte_ids_[static_cast<unsigned char>(piece[i])];
  const auto look_up = [&](std::size_t i) { std::tie(priority[i], merged[i]) = pair_of(ids[i], ids[i + 1]); };
  for (std::size_t i = 0; i + 1 < n; ++i) {
    std::tie(priority[i], merged[i]) =
        byte_pair_of(static_cast<unsigned char>(piece[i]), static_cast<unsigned char>(piece[i + 1]));
  }
  while (n > 1) {
    std::size_t best = 0;
    for (std::size_t i = 1; i + 1 < n; ++i) {
      if (priority[i] < priority[best]) best = i;
    }
    if (priority[best] == kNoMerge) break;
    ids[best] = merged[best];
    for (std::size_t i = best + 1; i + 1 < n; ++i) {
      ids[i] = ids[i + 1];
      priority[i] = priority[i + 1];
      merged[i] = merged[i + 1];
    }
    --n;
    if (best > 0) look_up(best - 1);
    if (best + 1 < n) look_up(best);
  }
  out.insert(out.end(), ids, ids + n);
}

bool BpeModel::encodes_as_itself(TokenId id, std::string_view piece) const {
  std::atomic<WholePiece>& state = whole_piece_[static_cast<std::size_t>(id)];
  WholePiece known = state.load(std::memory_order_relaxed);
  if (known == WholePiece::kUnknown) {
    std::vector<TokenId> ids;
    merge(piece, ids);
    known = (ids.size() == 1 && ids[0] == id) ? WholePiece::kSelf : WholePiece::kSplits;
    state.store(known, std::memory_order_relaxed);
  }
  return known == WholePiece::kSelf;
}

void BpeModel::merge_long(std::string_view piece, std::vector<TokenId>& out) const {
  // Symbols live in a linked list over byte positions; candidate merges wait in a min-heap ordered by
  // (priority, position), so the leftmost of equal-priority pairs merges first. A candidate whose
  // symbols have changed since it was pushed is stale and skipped.
  struct Candidate {
    std::uint32_t priority;
    std::uint32_t pos;
    TokenId left;
    TokenId right;
    TokenId merged;
    bool operator>(const Candidate& o) const { return priority != o.priority ? priority > o.priority : pos > o.pos; }
  };
  thread_local std::vector<TokenId> ids;
  thread_local std::vector<std::uint32_t> next;
  thread_local std::vector<std::uint32_t> prev;
  thread_local std::vector<Candidate> heap;
  const auto n = static_cast<std::uint32_t>(piece.size());
  ids.resize(n);
  next.resize(n);
  prev.resize(n);
  heap.clear();
  for (std::uint32_t i = 0; i < n; ++i) {
    ids[i] = byte_ids_[static_cast<unsigned char>(piece[i])];
    next[i] = i + 1;
    prev[i] = i - 1;  // wraps for i == 0; never read there
  }
  const auto push_pair = [&](std::uint32_t pos, std::pair<std::uint32_t, TokenId> merge) {
    if (merge.first == kNoMerge) return;
    heap.push_back({merge.first, pos, ids[pos], ids[next[pos]], merge.second});
    std::push_heap(heap.begin(), heap.end(), std::greater<>());
  };
  const auto push = [&](std::uint32_t pos) { push_pair(pos, pair_of(ids[pos], ids[next[pos]])); };
  for (std::uint32_t i = 0; i + 1 < n; ++i) {
    push_pair(i, byte_pair_of(static_cast<unsigned char>(piece[i]), static_cast<unsigned char>(piece[i + 1])));
  }
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), std::greater<>());
    const Candidate c = heap.back();
    heap.pop_back();
    const std::uint32_t right = next[c.pos];
    if (ids[c.pos] != c.left || right >= n || ids[right] != c.right) continue;
    ids[c.pos] = c.merged;
    ids[right] = -1;
    next[c.pos] = next[right];
    if (next[c.pos] < n) prev[next[c.pos]] = c.pos;
    if (c.pos > 0) push(prev[c.pos]);
    if (next[c.pos] < n) push(c.pos);
  }
  for (std::uint32_t i = 0; i < n; i = next[i]) out.push_back(ids[i]);
}

}  // namespace qwenrt::tokenizer
