#include "runtime/json_object_constraint.h"

#include <algorithm>
#include <limits>

#include "core/error.h"

namespace qwenrt::runtime {
namespace {

constexpr float kMasked = -std::numeric_limits<float>::infinity();
constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

std::vector<float>& masked_buffer() {
  thread_local std::vector<float> buffer;
  return buffer;
}

}  // namespace

JsonVocabulary::JsonVocabulary(const tokenizer::Tokenizer& tokenizer, std::size_t cache_limit) : cache_limit_(cache_limit) {
  std::vector<bool> added(tokenizer.vocab_size(), false);
  for (const tokenizer::AddedToken& t : tokenizer.added_tokens()) added[static_cast<std::size_t>(t.id)] = true;
  std::vector<std::pair<std::string_view, tokenizer::TokenId>> tokens;
  for (std::size_t id = 0; id < tokenizer.vocab_size(); ++id) {
    if (added[id]) continue;
    const std::string_view bytes = tokenizer.token_bytes(static_cast<tokenizer::TokenId>(id));
    if (bytes.size() > std::numeric_limits<std::uint16_t>::max()) fail("token ", id, " is longer than 65535 bytes");
    tokens.emplace_back(bytes, static_cast<tokenizer::TokenId>(id));
  }
  std::sort(tokens.begin(), tokens.end());
  entry_of_id_.assign(tokenizer.vocab_size(), kNone);
  std::string_view previous;
  for (const auto& [bytes, id] : tokens) {
    entry_of_id_[static_cast<std::size_t>(id)] = static_cast<std::uint32_t>(entries_.size());
    const auto mismatch = std::mismatch(bytes.begin(), bytes.end(), previous.begin(), previous.end());
    entries_.push_back({id, static_cast<std::uint32_t>(bytes_.size()), static_cast<std::uint16_t>(bytes.size()),
                        static_cast<std::uint16_t>(mismatch.first - bytes.begin())});
    bytes_ += bytes;
    longest_ = std::max(longest_, bytes.size());
    previous = bytes;
  }
}

std::string_view JsonVocabulary::bytes_of(tokenizer::TokenId id) const {
  const auto index = static_cast<std::size_t>(id);
  if (id < 0 || index >= entry_of_id_.size() || entry_of_id_[index] == kNone) return {};
  const Entry& e = entries_[entry_of_id_[index]];
  return std::string_view(bytes_).substr(e.offset, e.length);
}

JsonObjectConstraint::JsonObjectConstraint(std::shared_ptr<const JsonVocabulary> vocabulary,
                                           std::vector<tokenizer::TokenId> end_ids, std::size_t max_tokens)
    : vocabulary_(std::move(vocabulary)), end_ids_(std::move(end_ids)), max_tokens_(max_tokens) {}

JsonVocabulary::Continuations JsonVocabulary::walk(const JsonObjectSyntax& from) const {
  Continuations out;
  std::vector<JsonObjectSyntax> path(longest_ + 1);  // the syntax after each byte of the entry checked
  path[0] = from;
  std::size_t valid = 0;                                       // path[0..valid] belongs to the current prefix
  std::size_t dead = std::numeric_limits<std::size_t>::max();  // a prefix this long fails
  for (const Entry& e : entries_) {
    if (e.shared >= dead) continue;  // starts with the prefix that failed
    dead = std::numeric_limits<std::size_t>::max();
    const std::string_view token = bytes_of(e.id);
    std::size_t k = std::min<std::size_t>(e.shared, valid);
    for (; k < token.size(); ++k) {
      path[k + 1] = path[k];
      if (!path[k + 1].advance(static_cast<unsigned char>(token[k]))) {
        dead = k + 1;
        break;
      }
    }
    valid = k;
    if (k == token.size() && !token.empty()) {
      out.push_back({e.id, static_cast<std::uint32_t>(path[k].bytes_to_complete())});
    }
  }
  return out;
}

std::shared_ptr<const JsonVocabulary::Continuations> JsonVocabulary::continuations(const JsonObjectSyntax& from) const {
  const JsonObjectSyntax::Key key = from.key();
  {
    const std::lock_guard lock(cache_mutex_);
    if (const auto it = cache_.find(key); it != cache_.end()) return it->second;
  }
  // Walked outside the lock: two threads may walk the same state once, which is harmless.
  auto found = std::make_shared<const Continuations>(walk(from));
  const std::lock_guard lock(cache_mutex_);
  if (cached_entries_ + found->size() > cache_limit_) {
    cache_.clear();
    cached_entries_ = 0;
  }
  if (cache_.emplace(key, found).second) cached_entries_ += found->size();
  return found;
}

std::span<const float> JsonObjectConstraint::mask(std::span<const float> logits) const {
  std::vector<float>& masked = masked_buffer();
  masked.assign(logits.size(), kMasked);
  const auto keep = [&](tokenizer::TokenId id) {
    if (static_cast<std::size_t>(id) < logits.size()) masked[static_cast<std::size_t>(id)] = logits[static_cast<std::size_t>(id)];
  };
  if (syntax_.complete()) {
    for (const tokenizer::TokenId id : end_ids_) keep(id);
    return masked;
  }
  const std::shared_ptr<const JsonVocabulary::Continuations> allowed = vocabulary_->continuations(syntax_);
  // Tokens that can follow this one: after it, the object must still be closable in them.
  const std::size_t left = max_tokens_ > generated_ + 1 ? max_tokens_ - generated_ - 1 : 0;
  const bool closable = std::any_of(allowed->begin(), allowed->end(),
                                    [&](const JsonVocabulary::Continuation& c) { return c.bytes_to_complete <= left; });
  for (const JsonVocabulary::Continuation& a : *allowed) {
    // When nothing can close in time (a limit too small for any object), keep to the syntax alone.
    if (!closable || a.bytes_to_complete <= left) keep(a.id);
  }
  return masked;
}

void JsonObjectConstraint::accept(tokenizer::TokenId id) {
  ++generated_;
  for (const char c : vocabulary_->bytes_of(id)) syntax_.advance(static_cast<unsigned char>(c));
}

}  // namespace qwenrt::runtime
