// Exactness of qwenrt's tokenizer on the generated corpus (scripts/make_testdata.sh): several MB of
// text in many languages and scripts, source code, emoji, whitespace and added-token corner cases.
// Every line must give exactly the reference ids: transformers.js (standing in for Hugging Face
// tokenizers) for tokenizer.json in both added-token modes, tiktoken for qwen.tiktoken as Qwen v1
// encodes. And decoding must give back Qwen v1's NFC of every line, and any NFC text, byte for byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/utf8.h"
#include "json_lines.h"
#include "testdata.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::tokenizer {
namespace {

using Ids = std::vector<TokenId>;
using qwenrt::testing::have_testdata_file;
using qwenrt::testing::read_json_lines;
using qwenrt::testing::tokenizer_testdata;

constexpr std::size_t kMismatchesShown = 5;

// Printable ASCII as it is, everything else escaped, so invisible and combining characters show.
std::string escaped(std::string_view bytes) {
  std::string out;
  char buffer[16];
  for (std::size_t pos = 0; pos < bytes.size();) {
    const utf8::Decoded d = utf8::decode(bytes, pos);
    const char32_t cp = d.code_point;
    if (!d.valid) {
      std::snprintf(buffer, sizeof buffer, "\\x%02X", static_cast<unsigned char>(bytes[pos]));
      out += buffer;
      pos += 1;
      continue;
    }
    if (cp == '\n') out += "\\n";
    else if (cp == '\t') out += "\\t";
    else if (cp == '\r') out += "\\r";
    else if (cp == '"' || cp == '\\') out += str_cat('\\', static_cast<char>(cp));
    else if (cp >= 0x20 && cp < 0x7F) out += static_cast<char>(cp);
    else {
      std::snprintf(buffer, sizeof buffer, "\\u{%X}", static_cast<unsigned>(cp));
      out += buffer;
    }
    pos += d.length;
  }
  return out;
}

// The bytes of text around byte offset `at`, escaped.
std::string snippet(std::string_view text, std::size_t at) {
  const std::size_t from = at > 30 ? at - 30 : 0;
  return str_cat(from > 0 ? "..." : "", '"', escaped(text.substr(from, 80)), '"',
                 from + 80 < text.size() ? "..." : "");
}

// ids[from, from + count) as `id "piece"` pairs.
std::string ids_with_pieces(const Tokenizer& tok, const Ids& ids, std::size_t from, std::size_t count) {
  std::string out = "[";
  for (std::size_t i = from; i < std::min(ids.size(), from + count); ++i) {
    std::string piece;
    try {
      piece = escaped(tok.token_bytes(ids[i]));
    } catch (const Error& e) {
      piece = str_cat("<", e.what(), ">");
    }
    out += str_cat(i > from ? ", " : "", ids[i], " \"", piece, '"');
  }
  return out + (from + count < ids.size() ? ", ...]" : "]");
}

// Where ids[at] starts in the text the ids decode to.
std::size_t byte_offset_of(const Tokenizer& tok, const Ids& ids, std::size_t at) {
  try {
    return tok.decode(std::span(ids).first(at)).size();
  } catch (const Error&) {
    return 0;
  }
}

std::size_t total_bytes(const std::vector<std::string>& lines) {
  std::size_t bytes = 0;
  for (const std::string& line : lines) bytes += line.size();
  return bytes;
}

class TokenizerExactness : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* file : {"tokenizer.json", "qwen.tiktoken", "corpus.jsonl", "corpus_nfc.jsonl",
                             "ref_hf_parse.jsonl", "ref_hf_plain.jsonl", "ref_tiktoken.jsonl"}) {
      ASSERT_TRUE(have_testdata_file(tokenizer_testdata() / file));
    }
  }

  // Loaded once for the whole suite: the corpus is several MB.
  static const std::vector<std::string>& corpus() {
    static const auto lines = read_json_lines<std::string>(tokenizer_testdata() / "corpus.jsonl");
    return lines;
  }
  static const std::vector<std::string>& corpus_nfc() {
    static const auto lines = read_json_lines<std::string>(tokenizer_testdata() / "corpus_nfc.jsonl");
    return lines;
  }
  static const Tokenizer& json_tokenizer() {
    static const Tokenizer tok = Tokenizer::from_tokenizer_json(tokenizer_testdata() / "tokenizer.json");
    return tok;
  }
  static const Tokenizer& tiktoken_tokenizer() {
    static const Tokenizer tok = Tokenizer::from_tiktoken(tokenizer_testdata() / "qwen.tiktoken");
    return tok;
  }

  // Every corpus line encodes to exactly the ids in the reference file.
  static ::testing::AssertionResult encodes_as_reference(const Tokenizer& tok, SpecialTokens mode,
                                                         const char* reference_file, std::string_view what) {
    const auto expected = read_json_lines<Ids>(tokenizer_testdata() / reference_file);
    const auto& lines = corpus();
    if (expected.size() != lines.size()) {
      return ::testing::AssertionFailure() << reference_file << " has " << expected.size() << " lines, corpus.jsonl "
                                           << lines.size() << ": run scripts/make_testdata.sh";
    }
    std::size_t mismatches = 0;
    std::string details;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      Ids got;
      std::string error;
      try {
        got = tok.encode(lines[i], mode);
      } catch (const Error& e) {
        error = e.what();
      }
      if (error.empty() && got == expected[i]) continue;
      if (++mismatches > kMismatchesShown) continue;
      const auto differ = std::mismatch(got.begin(), got.end(), expected[i].begin(), expected[i].end());
      const auto at = static_cast<std::size_t>(differ.second - expected[i].begin());
      const std::size_t from = at > 2 ? at - 2 : 0;
      const std::size_t offset = byte_offset_of(tok, expected[i], at);
      details += str_cat("\n  line ", i + 1, " (NFC) ", snippet(corpus_nfc()[i], offset), "\n    ",
                         error.empty() ? str_cat("first difference at id #", at, " of ", expected[i].size(),
                                                 "\n    expected ", ids_with_pieces(tok, expected[i], from, 7),
                                                 "\n    got      ", ids_with_pieces(tok, got, from, 7))
                                       : str_cat("threw: ", error));
    }
    const std::string summary = str_cat(what, ": ", lines.size(), " lines, ", total_bytes(lines), " bytes, ",
                                        mismatches, " mismatching lines");
    std::cout << summary << "\n";
    if (mismatches == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << summary << "; the first ones:" << details;
  }

  // decode(encode(inputs[i])) == expected[i] byte for byte.
  static ::testing::AssertionResult round_trips(const Tokenizer& tok, SpecialTokens mode,
                                                const std::vector<std::string>& inputs,
                                                const std::vector<std::string>& expected, std::string_view what) {
    if (inputs.size() != expected.size()) {
      return ::testing::AssertionFailure()
             << "corpus.jsonl and corpus_nfc.jsonl differ in length: run scripts/make_testdata.sh";
    }
    std::size_t mismatches = 0;
    std::string details;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      std::string got;
      try {
        got = tok.decode(tok.encode(inputs[i], mode));
      } catch (const Error& e) {
        got = str_cat("<threw: ", e.what(), ">");
      }
      if (got == expected[i] || ++mismatches > kMismatchesShown) continue;
      const auto differ = std::mismatch(got.begin(), got.end(), expected[i].begin(), expected[i].end());
      const auto at = static_cast<std::size_t>(differ.second - expected[i].begin());
      details += str_cat("\n  line ", i + 1, " differs at byte ", at, "\n    expected ", snippet(expected[i], at),
                         "\n    got      ", snippet(got, at));
    }
    const std::string summary = str_cat(what, ": ", inputs.size(), " lines, ", mismatches, " do not round-trip");
    std::cout << summary << "\n";
    if (mismatches == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << summary << "; the first ones:" << details;
  }
};

TEST_F(TokenizerExactness, TokenizerJsonMatchesHuggingFace) {
  EXPECT_TRUE(encodes_as_reference(json_tokenizer(), SpecialTokens::kParse, "ref_hf_parse.jsonl",
                                   "tokenizer.json, added tokens parsed, vs ref_hf_parse.jsonl"));
}

TEST_F(TokenizerExactness, TokenizerJsonWithAddedTokensAsTextMatchesHuggingFaceWithoutThem) {
  EXPECT_TRUE(encodes_as_reference(json_tokenizer(), SpecialTokens::kPlainText, "ref_hf_plain.jsonl",
                                   "tokenizer.json, added tokens as text, vs ref_hf_plain.jsonl"));
}

TEST_F(TokenizerExactness, TiktokenMatchesQwenV1) {
  EXPECT_TRUE(encodes_as_reference(tiktoken_tokenizer(), SpecialTokens::kParse, "ref_tiktoken.jsonl",
                                   "qwen.tiktoken, special tokens parsed, vs ref_tiktoken.jsonl"));
}

// Qwen v1 normalises the whole text to NFC before it looks for special tokens, so decoding gives back
// the NFC text. (tokenizer.json's ids are checked above instead: Hugging Face's NFC has Unicode 9.0
// tables, leaving marks encoded since then unordered, and normalises only between added tokens.)
TEST_F(TokenizerExactness, TiktokenDecodeOfEncodeIsTheNfcText) {
  EXPECT_TRUE(round_trips(tiktoken_tokenizer(), SpecialTokens::kParse, corpus(), corpus_nfc(),
                          "qwen.tiktoken, special tokens parsed"));
  EXPECT_TRUE(round_trips(tiktoken_tokenizer(), SpecialTokens::kPlainText, corpus(), corpus_nfc(),
                          "qwen.tiktoken, special tokens as text"));
}

// Text already in NFC comes back unchanged in every format and mode (the promise of tokenizer.h).
TEST_F(TokenizerExactness, NfcTextRoundTripsExactly) {
  for (const SpecialTokens mode : {SpecialTokens::kParse, SpecialTokens::kPlainText}) {
    const char* mode_name = mode == SpecialTokens::kParse ? "parsed" : "as text";
    EXPECT_TRUE(round_trips(json_tokenizer(), mode, corpus_nfc(), corpus_nfc(),
                            str_cat("tokenizer.json on NFC text, added tokens ", mode_name)));
    EXPECT_TRUE(round_trips(tiktoken_tokenizer(), mode, corpus_nfc(), corpus_nfc(),
                            str_cat("qwen.tiktoken on NFC text, special tokens ", mode_name)));
  }
}

}  // namespace
}  // namespace qwenrt::tokenizer
