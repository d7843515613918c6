#include "cli/bench/english_text.h"

#include <algorithm>
#include <cctype>
#include <initializer_list>

#include "cli/bench/random_draws.h"
#include "core/error.h"

namespace qwenrt::bench {
namespace {

// Every word is lower case; the writer capitalises the first of a sentence.
const std::initializer_list<const char*> kWords[] = {
    // determiners ("a" becomes "an" before a vowel)
    {"the", "a", "this", "each", "every", "our", "your", "their", "that", "another", "any", "one"},
    // adjectives
    {"simple", "new", "main", "small", "large", "clear", "good", "better", "important", "different", "common",
     "useful", "complex", "basic", "final", "public", "private", "local", "global", "modern", "short", "long",
     "strong", "quick", "easy", "hard", "real", "high", "low", "full", "open", "free", "early", "special",
     "major", "current", "recent", "possible", "specific", "general", "personal", "social", "digital",
     "natural", "human", "technical", "creative", "effective", "efficient", "reliable", "secure", "detailed",
     "popular", "classic", "careful", "central", "complete", "direct", "extra", "fair", "formal"},
    // nouns
    {"system", "model", "data", "user", "file", "code", "function", "server", "network", "project", "team",
     "design", "process", "report", "method", "value", "table", "query", "result", "test", "error", "image",
     "page", "service", "customer", "market", "product", "price", "plan", "goal", "idea", "story", "book",
     "word", "language", "question", "answer", "problem", "solution", "example", "student", "teacher",
     "school", "city", "country", "company", "business", "health", "energy", "water", "food", "game", "music",
     "video", "time", "year", "week", "history", "science", "research", "study", "paper", "article",
     "letter", "email", "message", "list", "number", "account", "policy", "rule", "world", "life", "family",
     "friend", "community", "culture", "software", "device", "computer", "phone", "program", "application",
     "database", "interface", "class", "object", "variable", "string", "loop", "feature", "version", "update",
     "release", "support", "document", "section", "chapter", "character", "scene", "event", "meeting",
     "budget", "strategy", "campaign", "brand", "content", "audience", "platform", "tool", "framework",
     "library", "module", "package", "request", "response", "input", "output", "task", "step", "stage",
     "level", "skill", "experience", "job", "role", "position", "career", "course", "lesson", "map"},
    // verbs, third person
    {"improves", "describes", "explains", "shows", "uses", "builds", "creates", "changes", "supports",
     "needs", "includes", "provides", "requires", "helps", "reads", "writes", "sends", "finds", "makes",
     "takes", "gives", "keeps", "runs", "starts", "follows", "reviews", "updates", "tests", "checks",
     "handles", "solves", "covers", "reduces", "increases", "measures", "defines", "returns", "stores",
     "loads", "compares", "connects", "contains", "produces", "explores", "presents", "offers", "shapes"},
    // adverbs
    {"quickly", "clearly", "often", "always", "usually", "carefully", "easily", "directly", "mostly",
     "simply", "rarely", "still", "also", "never", "already", "really"},
    // prepositions
    {"in", "on", "for", "with", "from", "about", "into", "through", "over", "under", "across", "after",
     "before", "between", "during", "without", "within", "around", "beyond", "behind"},
    // conjunctions
    {"and", "but", "while", "because", "so", "although", "when", "since", "whereas", "unless"},
};

// The orders sentences take their words in; a longer sentence goes on with kTail, round and round.
const std::vector<std::vector<int>> kOpenings = {
    {0, 1, 2, 3, 0, 2, 5, 0, 1, 2},
    {0, 2, 4, 3, 0, 1, 2, 5, 0, 2},
    {0, 1, 1, 2, 3, 0, 2, 5, 0, 1, 2},
};
const std::vector<int> kTail = {6, 0, 2, 4, 3, 0, 1, 2, 5, 0, 2};

std::string capitalized(std::string word) {
  word[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(word[0])));
  return word;
}

// Built by appending: GCC 12 warns wrongly (-Wrestrict) about " " + word.
std::string spaced(const std::string& word) {
  std::string text = " ";
  return text += word;
}

bool starts_with_vowel(const std::string& word) { return std::string_view("aeiou").find(word[0]) != std::string_view::npos; }

}  // namespace

EnglishTextWriter::EnglishTextWriter(const tokenizer::Tokenizer& tokenizer)
    : tokenizer_(tokenizer), paragraph_end_tokens_(tokenizer.encode(".\n\n").size()) {
  const auto one_token = [&](const std::string& text) { return tokenizer_.encode(text).size() == 1; };
  for (int c = 0; c < kCategories; ++c) {
    for (const char* word : kWords[c]) {
      const std::string w = word;
      if (one_token(w) && one_token(spaced(w)) && one_token(capitalized(w)) && one_token(spaced(capitalized(w)))) {
        words_[c].push_back(w);
      }
    }
    if (words_[c].size() < 4) fail("the tokenizer splits too many common English words to write sample text");
  }
  for (const char* piece : {" an", "An", ",", ".", "?"}) {
    if (!one_token(piece)) fail("the tokenizer has no single token for \"", piece, "\", which sample text needs");
  }
}

std::string EnglishTextWriter::pick(Category category, runtime::RandomStream& random) const {
  const std::vector<std::string>& list = words_[category];
  return list[uniform_index(random, list.size())];
}

void EnglishTextWriter::append_sentence(std::vector<std::string>& pieces, std::size_t body_tokens, bool paragraph_start,
                                        double question_share, runtime::RandomStream& random) const {
  const std::vector<int>& opening = kOpenings[uniform_index(random, kOpenings.size())];
  std::vector<std::string> words;
  for (std::size_t i = 0; words.size() < body_tokens; ++i) {
    const int category = i < opening.size() ? opening[i] : kTail[(i - opening.size()) % kTail.size()];
    // A sentence ends on a noun, however short it is cut; a comma may come before a conjunction.
    if (words.size() + 1 == body_tokens) {
      words.push_back(pick(kNoun, random));
    } else if (category == kConjunction && words.size() + 3 <= body_tokens && random.next_uniform() < 0.5) {
      words.push_back(",");
      words.push_back(pick(kConjunction, random));
    } else {
      words.push_back(pick(static_cast<Category>(category), random));
    }
  }
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    if (words[i] == "a" && starts_with_vowel(words[i + 1])) words[i] = "an";
  }
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string word = i == 0 ? capitalized(words[i]) : words[i];
    pieces.push_back(word == "," || (i == 0 && paragraph_start) ? word : spaced(word));
  }
  pieces.push_back(random.next_uniform() < question_share ? "?" : ".");
}

std::string EnglishTextWriter::write(std::size_t tokens, double question_share, runtime::RandomStream& random) const {
  if (tokens == 0) fail("sample text must have at least one token");
  std::vector<std::string> pieces;
  std::size_t budget = tokens;
  bool paragraph_start = true;
  while (budget > 0) {
    if (budget == 1) {
      pieces.push_back(paragraph_start ? capitalized(pick(kNoun, random)) : spaced(pick(kNoun, random)));
      break;
    }
    // 5 to 24 words, and never a single token left over after the end mark.
    std::size_t body = std::min(5 + uniform_index(random, 20), budget - 1);
    if (budget - body - 1 == 1) --body;
    append_sentence(pieces, body, paragraph_start, question_share, random);
    budget -= body + 1;
    paragraph_start = false;
    // Close the paragraph after about four sentences, where the budget allows the longer end mark.
    if (budget > paragraph_end_tokens_ + 1 && random.next_uniform() < 0.25 && pieces.back() == ".") {
      pieces.back() = ".\n\n";
      budget -= paragraph_end_tokens_ - 1;
      paragraph_start = true;
    }
  }
  std::string text;
  for (const std::string& p : pieces) text += p;
  // Pieces that merged across their boundary: trim or pad with nouns until the count is exact.
  for (std::size_t actual = tokenizer_.encode(text).size(), round = 0; actual != tokens; ++round) {
    if (round == 64) fail("could not write sample text of exactly ", tokens, " tokens");
    if (actual > tokens) {
      text.resize(text.size() - pieces.back().size());
      pieces.pop_back();
    } else {
      pieces.push_back(spaced(pick(kNoun, random)));
      text += pieces.back();
    }
    actual = tokenizer_.encode(text).size();
  }
  return text;
}

}  // namespace qwenrt::bench
