// Reading ShareGPT files and drawing benchmark requests from them by vLLM's rules, on small files in
// the real format written here, with the real Qwen tokenizer counting the tokens.
#include "cli/bench/sharegpt_dataset.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "bench_test_support.h"
#include "sharegpt_files.h"

namespace qwenrt::bench {
namespace {

using testing::conversation;
using testing::scratch_file;
using testing::throws_error_with;
using testing::words;

class ShareGptDataset : public ::testing::Test {
 protected:
  void SetUp() override {
    tokenizer_ = testing::qwen_tokenizer();
    ASSERT_NE(tokenizer_, nullptr);
    ASSERT_EQ(tokenizer_->encode(words(37)).size(), 37u) << "words(n) must be n tokens";
  }

  SampledDataset sample(const nlohmann::json& file, std::size_t num_prompts, std::uint64_t seed = 0) {
    const auto path = scratch_file("sample.json", file.dump());
    return sample_sharegpt(read_sharegpt(path), *tokenizer_, {num_prompts, seed}, path.string());
  }

  const tokenizer::Tokenizer* tokenizer_ = nullptr;
};

TEST_F(ShareGptDataset, ReadsTheFirstExchangeAndSkipsEntriesWithoutConversations) {
  nlohmann::json file = nlohmann::json::array();
  file.push_back(conversation("a_0", {"Hello there", "Hi! How can I help?", "Thanks", "You are welcome"}));
  file.push_back({{"id", "no_turns_at_all"}});
  file.push_back(conversation("b_0", {"Only a question"}));
  const auto conversations = read_sharegpt(scratch_file("read.json", file.dump()));
  ASSERT_EQ(conversations.size(), 2u);
  EXPECT_EQ(conversations[0].id, "a_0");
  EXPECT_EQ(conversations[0].turns, 4u);
  EXPECT_EQ(conversations[0].prompt, "Hello there");
  EXPECT_EQ(conversations[0].completion, "Hi! How can I help?");
  EXPECT_EQ(conversations[1].turns, 1u);
  EXPECT_EQ(conversations[1].completion, "");
}

TEST_F(ShareGptDataset, MalformedFilesAreOneLineErrorsNamingFileAndEntry) {
  const auto read = [](const std::string& text) { return [text] { read_sharegpt(scratch_file("bad.json", text)); }; };
  EXPECT_TRUE(throws_error_with(read("[{\"id\": \"x\", "), "bad.json: invalid JSON"));
  EXPECT_TRUE(throws_error_with(read("{\"conversations\": []}"), "bad.json: expected a JSON array of ShareGPT conversations, got object"));
  EXPECT_TRUE(throws_error_with(read("[\"text\"]"), "bad.json: entry 0: expected an object"));
  EXPECT_TRUE(throws_error_with(read(R"([{"id": "q1", "conversations": "hi"}])"),
                                "bad.json: entry 0 (id q1): \"conversations\" must be an array, got string"));
  EXPECT_TRUE(throws_error_with(read(R"([{"id": "q1", "conversations": []}, {"id": "q2", "conversations": [{"from": "human", "value": 7}]}])"),
                                "bad.json: entry 1 (id q2): turn 0: \"value\" must be a string, got integer"));
  EXPECT_TRUE(throws_error_with(read(R"([{"conversations": [{"from": "human"}]}])"), "entry 0: turn 0: \"value\" must be a string, got nothing"));
  EXPECT_TRUE(throws_error_with(read(R"([{"conversations": [["human", "hi"]]}])"), "entry 0: turn 0: expected an object"));
  EXPECT_TRUE(throws_error_with([] { read_sharegpt("/nonexistent/sharegpt.json"); }, "/nonexistent/sharegpt.json"));
}

TEST_F(ShareGptDataset, KeepsOnlyPairsWithinVllmsLengthLimits) {
  // The limits exactly, and one token past each.
  EXPECT_TRUE(is_valid_pair(4, 4));
  EXPECT_TRUE(is_valid_pair(1024, 1024));
  EXPECT_FALSE(is_valid_pair(3, 100));
  EXPECT_FALSE(is_valid_pair(100, 3));
  EXPECT_FALSE(is_valid_pair(1025, 10));
  EXPECT_FALSE(is_valid_pair(1024, 1025));

  nlohmann::json file = nlohmann::json::array();
  file.push_back(conversation("short_prompt", {words(3), words(50)}));
  file.push_back(conversation("short_output", {words(50), words(3)}));
  file.push_back(conversation("long_prompt", {words(1025), words(10)}));
  file.push_back(conversation("long_total", {words(1000), words(1049)}));
  file.push_back(conversation("single_turn", {words(40)}));
  file.push_back(conversation("edge_low", {words(4), words(4)}));
  file.push_back(conversation("edge_high", {words(1024), words(1024)}));
  const SampledDataset s = sample(file, 3);
  EXPECT_EQ(s.conversations, 7u);
  EXPECT_EQ(s.multi_turn, 6u);
  EXPECT_EQ(s.examined, 6u);
  EXPECT_EQ(s.valid, 2u);
  EXPECT_EQ(s.resampled, 1u);
  std::set<std::string> ids;
  for (const SampledRequest& r : s.requests) ids.insert(r.conversation_id);
  EXPECT_EQ(ids, (std::set<std::string>{"edge_low", "edge_high"}));
}

TEST_F(ShareGptDataset, TurnZeroIsThePromptAndTurnOnesTokensTheOutputLength) {
  nlohmann::json file = nlohmann::json::array();
  // vLLM reads the first two turns whoever wrote them.
  nlohmann::json c = conversation("gpt_first", {"The model speaks first in this one, for a change.", words(12), "later"});
  c["conversations"][0]["from"] = "gpt";
  file.push_back(c);
  const SampledDataset s = sample(file, 1);
  ASSERT_EQ(s.requests.size(), 1u);
  const SampledRequest& r = s.requests[0];
  EXPECT_EQ(r.prompt, "The model speaks first in this one, for a change.");
  EXPECT_EQ(r.prompt_ids, tokenizer_->encode(r.prompt));
  EXPECT_EQ(r.output_len, 12u);
}

TEST_F(ShareGptDataset, TheSeedFixesTheDrawAndEachConversationIsDrawnOnce) {
  nlohmann::json file = nlohmann::json::array();
  for (int i = 0; i < 40; ++i) file.push_back(conversation(str_cat("c", i), {words(5 + i), words(4 + 2 * i)}));
  const SampledDataset a = sample(file, 25, 7), b = sample(file, 25, 7), c = sample(file, 25, 8);
  ASSERT_EQ(a.requests.size(), 25u);
  EXPECT_EQ(a.examined, 25u) << "drawing stops at num_prompts";
  std::vector<std::string> ids_a, ids_b, ids_c;
  for (const auto& r : a.requests) ids_a.push_back(r.conversation_id);
  for (const auto& r : b.requests) ids_b.push_back(r.conversation_id);
  for (const auto& r : c.requests) ids_c.push_back(r.conversation_id);
  EXPECT_EQ(ids_a, ids_b);
  EXPECT_NE(ids_a, ids_c);
  EXPECT_EQ(std::set<std::string>(ids_a.begin(), ids_a.end()).size(), 25u);
  std::vector<std::string> in_file_order(ids_a.begin(), ids_a.end());
  std::sort(in_file_order.begin(), in_file_order.end());
  EXPECT_NE(in_file_order, ids_a) << "the draw is shuffled";
  for (const SampledRequest& r : a.requests) {
    const int i = std::stoi(r.conversation_id.substr(1));
    EXPECT_EQ(r.prompt_ids.size(), static_cast<std::size_t>(5 + i));
    EXPECT_EQ(r.output_len, static_cast<std::size_t>(4 + 2 * i));
  }
}

TEST_F(ShareGptDataset, TooFewValidPairsAreDrawnAgainToReachNumPrompts) {
  nlohmann::json file = nlohmann::json::array();
  for (int i = 0; i < 3; ++i) file.push_back(conversation(str_cat("v", i), {words(10 + i), words(20)}));
  file.push_back(conversation("invalid", {words(2), words(20)}));
  const SampledDataset s = sample(file, 10);
  ASSERT_EQ(s.requests.size(), 10u);
  EXPECT_EQ(s.valid, 3u);
  EXPECT_EQ(s.resampled, 7u);
  std::set<std::string> ids;
  for (const SampledRequest& r : s.requests) ids.insert(r.conversation_id);
  EXPECT_EQ(ids, (std::set<std::string>{"v0", "v1", "v2"}));
}

TEST_F(ShareGptDataset, NoValidPairIsAnErrorNamingTheFile) {
  nlohmann::json file = nlohmann::json::array();
  file.push_back(conversation("tiny", {"hi", "hello"}));
  file.push_back(conversation("alone", {words(10)}));
  EXPECT_TRUE(throws_error_with([&] { sample(file, 5); }, "sample.json: none of its 2 conversations gives a usable request"));
  EXPECT_TRUE(throws_error_with([&] { sample(nlohmann::json::array(), 5); }, "none of its 0 conversations"));
  EXPECT_TRUE(throws_error_with([&] { sample(file, 0); }, "--num-prompts must be at least 1"));
}

TEST_F(ShareGptDataset, MeasuresTheLengthsTheSamplerSees) {
  nlohmann::json file = nlohmann::json::array();
  file.push_back(conversation("a", {words(10), words(20)}));
  file.push_back(conversation("b", {words(30), words(40)}));
  file.push_back(conversation("too_long", {words(1100), words(60)}));
  file.push_back(conversation("alone", {words(10)}));
  const ShareGptLengths l = measure_sharegpt(read_sharegpt(scratch_file("measure.json", file.dump())), *tokenizer_);
  EXPECT_EQ(l.multi_turn, 3u);
  EXPECT_EQ(l.valid, 2u);
  EXPECT_DOUBLE_EQ(l.prompt.mean, (10 + 30 + 1100) / 3.0);
  EXPECT_DOUBLE_EQ(l.valid_prompt.mean, 20);
  EXPECT_DOUBLE_EQ(l.valid_output.mean, 30);
  EXPECT_DOUBLE_EQ(l.valid_output.p50, 30);
  EXPECT_DOUBLE_EQ(l.output.p99, 40 + (60 - 40) * 0.98);
}

}  // namespace
}  // namespace qwenrt::bench
