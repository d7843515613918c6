// Plain English-looking prose that a given tokenizer encodes to an exact number of tokens, for the
// synthetic ShareGPT file: sentences of common words in a subject-verb-object order, with commas,
// questions and paragraphs. Only words that are one token in each spelling they can take ("word",
// " word", " Word", "Word") are used, so a sentence costs what its pieces count, and every text is
// checked by encoding it whole (and corrected word by word where a merge across pieces changed it).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "runtime/random_stream.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::bench {

class EnglishTextWriter {
 public:
  // tokenizer must outlive the writer. Throws Error when the tokenizer splits too many of the words
  // to write sentences (never for Qwen's vocabularies).
  explicit EnglishTextWriter(const tokenizer::Tokenizer& tokenizer);

  // Text that the tokenizer encodes to exactly tokens ids (tokens >= 1). question_share is the
  // share of sentences that end in a question mark.
  std::string write(std::size_t tokens, double question_share, runtime::RandomStream& random) const;

 private:
  enum Category { kDeterminer, kAdjective, kNoun, kVerb, kAdverb, kPreposition, kConjunction, kCategories };
  // Appends a sentence of body_tokens tokens and its end mark to pieces.
  void append_sentence(std::vector<std::string>& pieces, std::size_t body_tokens, bool paragraph_start,
                       double question_share, runtime::RandomStream& random) const;
  std::string pick(Category category, runtime::RandomStream& random) const;

  const tokenizer::Tokenizer& tokenizer_;
  std::vector<std::string> words_[kCategories];
  std::size_t paragraph_end_tokens_;  // of ".\n\n", the end of a paragraph
};

}  // namespace qwenrt::bench
