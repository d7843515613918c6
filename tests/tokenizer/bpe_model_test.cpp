#include "tokenizer/bpe_model.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace qwenrt::tokenizer {
namespace {

// 256 single bytes, then multi-byte tokens appended in the order given (their ids follow).
std::vector<std::string> vocab_with(std::initializer_list<const char*> extra) {
  std::vector<std::string> v;
  for (int b = 0; b < 256; ++b) v.emplace_back(1, static_cast<char>(b));
  for (const char* t : extra) v.emplace_back(t);
  return v;
}

std::vector<TokenId> encode(const BpeModel& m, std::string_view piece) {
  std::vector<TokenId> out;
  m.encode_piece(piece, out);
  return out;
}

TEST(BpeModel, MergesByPriorityLeftmostFirst) {
  // ids: ab=256, bc=257, abc=258
  auto v = vocab_with({"ab", "bc", "abc"});
  const std::vector<BpeModel::Merge> merges = {{'b', 'c'}, {'a', 'b'}, {'a', 257}};
  const BpeModel m = BpeModel::from_merges(v, merges, "test", false);
  EXPECT_EQ(encode(m, "abc"), (std::vector<TokenId>{258}));           // bc first, then a+bc
  EXPECT_EQ(encode(m, "abab"), (std::vector<TokenId>{256, 256}));
  EXPECT_EQ(encode(m, "x"), (std::vector<TokenId>{'x'}));
  const BpeModel tie = BpeModel::from_merges(vocab_with({"aa"}), std::vector<BpeModel::Merge>{{'a', 'a'}}, "t", false);
  EXPECT_EQ(encode(tie, "aaa"), (std::vector<TokenId>{256, 'a'}));  // leftmost pair merges first
}

TEST(BpeModel, WholeTokenPieceNeedsItsMergesUnlessIgnored) {
  // "abc" is in the vocabulary but no merge reaches it: Hugging Face's BPE gives ab + c.
  auto v = vocab_with({"ab", "abc"});
  const std::vector<BpeModel::Merge> merges = {{'a', 'b'}};
  EXPECT_EQ(encode(BpeModel::from_merges(v, merges, "t", false), "abc"), (std::vector<TokenId>{256, 'c'}));
  EXPECT_EQ(encode(BpeModel::from_merges(v, merges, "t", true), "abc"), (std::vector<TokenId>{257}));
}

TEST(BpeModel, RanksMergeAnySplitAtTheResultsRank) {
  // tiktoken: "bc"(256) ranks before "ab"(257), so abc -> a + bc -> abc(258) through the split a|bc.
  const BpeModel m = BpeModel::from_ranks(vocab_with({"bc", "ab", "abc"}), "t");
  EXPECT_EQ(encode(m, "abcab"), (std::vector<TokenId>{258, 257}));
  EXPECT_EQ(m.find("abc"), 258);
  EXPECT_EQ(m.find("zz"), -1);
}

TEST(BpeModel, RejectsBrokenVocabularies) {
  auto missing_byte = vocab_with({});
  missing_byte[7].clear();
  EXPECT_THROW(BpeModel::from_ranks(missing_byte, "t"), Error);
  EXPECT_THROW(BpeModel::from_ranks(vocab_with({"ab", "ab"}), "t"), Error);
  const std::vector<BpeModel::Merge> merges = {{'x', 'y'}};  // "xy" is not a token
  EXPECT_THROW(BpeModel::from_merges(vocab_with({}), merges, "t", false), Error);
}

}  // namespace
}  // namespace qwenrt::tokenizer
