// OpenAI's response_format {"type": "json_object"}: decoding constrained to one JSON object. Before each
// token is sampled, every token whose bytes would break the JSON text so far is masked (-inf), using
// the tokenizer's token bytes and JsonObjectSyntax; so is every token after which the object could no
// longer be closed within the request's token limit (each closing byte is a token of its own in a
// byte-level vocabulary), so the answer is a whole object even when the limit ends it. Once the object
// has closed, only an end-of-text id may follow. Sampling, penalties and logprobs then work on the
// masked logits as on any others.
//
// The mask walks the vocabulary in byte order (JsonVocabulary), so tokens sharing a prefix share the
// work of checking it, and a prefix that fails rules out every token starting with it at once; and it
// remembers what it found for each syntax state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/json_object_syntax.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::runtime {

// The ordinary tokens of a vocabulary (added tokens such as <|im_end|> are control tokens, never JSON
// text) sorted by their bytes, each with the length of the prefix it shares with the one before, and
// the tokens that can follow each syntax state met so far. Built once per tokenizer and shared by
// every constrained request: a decoding spends most of its steps in a few states (inside a string,
// after a colon), so most steps find their continuations here rather than walk the vocabulary.
class JsonVocabulary {
 public:
  struct Continuation {
    tokenizer::TokenId id;
    std::uint32_t bytes_to_complete;  // after the token
  };
  using Continuations = std::vector<Continuation>;

  // cache_limit: continuations kept across states, in entries (8 bytes each); beyond it the cache
  // starts afresh.
  explicit JsonVocabulary(const tokenizer::Tokenizer& tokenizer, std::size_t cache_limit = std::size_t{1} << 22);

  // Every token whose bytes continue a text in state from. Any thread.
  std::shared_ptr<const Continuations> continuations(const JsonObjectSyntax& from) const;

  // The bytes of a token in the list; empty for any other id.
  std::string_view bytes_of(tokenizer::TokenId id) const;

 private:
  struct Entry {
    tokenizer::TokenId id;
    std::uint32_t offset;  // into bytes_
    std::uint16_t length;
    std::uint16_t shared;  // bytes in common with the previous entry
  };
  struct KeyHash {
    std::size_t operator()(const JsonObjectSyntax::Key& k) const { return std::hash<std::uint64_t>()(k.first * 31 + k.second); }
  };

  Continuations walk(const JsonObjectSyntax& from) const;

  std::vector<Entry> entries_;
  std::vector<std::uint32_t> entry_of_id_;  // kNone for ids not in the list
  std::string bytes_;
  std::size_t longest_ = 0;
  std::size_t cache_limit_;
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<JsonObjectSyntax::Key, std::shared_ptr<const Continuations>, KeyHash> cache_;
  mutable std::size_t cached_entries_ = 0;
};

class JsonObjectConstraint {
 public:
  // end_ids: the ids that end the answer once the object is complete. max_tokens: the request's limit.
  JsonObjectConstraint(std::shared_ptr<const JsonVocabulary> vocabulary, std::vector<tokenizer::TokenId> end_ids,
                       std::size_t max_tokens);

  // logits with every token that may not come next set to -inf. The span views a buffer of the calling
  // thread, valid until its next call.
  std::span<const float> mask(std::span<const float> logits) const;

  // The token chosen: the syntax moves past its bytes (an end id moves nothing).
  void accept(tokenizer::TokenId id);

  const JsonObjectSyntax& syntax() const { return syntax_; }

 private:
  std::shared_ptr<const JsonVocabulary> vocabulary_;
  std::vector<tokenizer::TokenId> end_ids_;
  std::size_t max_tokens_;
  std::size_t generated_ = 0;
  JsonObjectSyntax syntax_;
};

}  // namespace qwenrt::runtime
