#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "run_command.h"

namespace qwenrt::testing {
namespace {

std::string model_dir() { return std::string(QWENRT_TESTDATA_DIR) + "/tokenizer"; }

class TokenizeCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(model_dir() + "/tokenizer.json")) << "run scripts/make_testdata.sh first";
  }
};

TEST_F(TokenizeCommand, EncodesStdinAsOneText) {
  const auto r = run_qwenrt("tokenize -m " + model_dir(), "Hello world");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "[9707,1879]\n");
}

TEST_F(TokenizeCommand, ParsesAddedTokensUnlessSplitSpecial) {
  EXPECT_EQ(run_qwenrt("tokenize -m " + model_dir(), "<|im_end|>").out, "[151645]\n");
  const auto plain = nlohmann::json::parse(run_qwenrt("tokenize --split-special -m " + model_dir(), "<|im_end|>").out);
  EXPECT_GT(plain.size(), 1u);
}

TEST_F(TokenizeCommand, JsonlGivesOneLinePerInputLine) {
  const auto r = run_qwenrt("tokenize --jsonl -m " + model_dir(), "\"Hello world\"\n\"\"\n\"a\\nb\"\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "[9707,1879]\n[]\n[64,198,65]\n");
}

TEST_F(TokenizeCommand, DecodesIds) {
  EXPECT_EQ(run_qwenrt("tokenize --decode -m " + model_dir(), "[9707,1879]").out, "Hello world");
  EXPECT_EQ(run_qwenrt("tokenize --decode --jsonl -m " + model_dir(), "[9707]\n[151644]\n").out, "\"Hello\"\n\"<|im_start|>\"\n");
}

TEST_F(TokenizeCommand, BadInputGivesOneLineErrorAndNonZeroExit) {
  const auto missing = run_qwenrt("tokenize -m /nonexistent/model", "x");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_EQ(missing.err, "qwenrt: error: /nonexistent/model: not a directory\n");

  const auto dir = std::filesystem::temp_directory_path() / "qwenrt_cli_corrupt";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "tokenizer.json") << "{\"model\": [";
  const auto corrupt = run_qwenrt("tokenize -m " + dir.string(), "x");
  EXPECT_NE(corrupt.exit_code, 0);
  EXPECT_NE(corrupt.err.find("tokenizer.json: invalid JSON"), std::string::npos) << corrupt.err;
  EXPECT_EQ(std::count(corrupt.err.begin(), corrupt.err.end(), '\n'), 1);

  const auto bad_line = run_qwenrt("tokenize --jsonl -m " + model_dir(), "\"ok\"\n{not json\n");
  EXPECT_NE(bad_line.exit_code, 0);
  EXPECT_EQ(bad_line.out, "[562]\n");  // the good line before the bad one is not lost
  EXPECT_EQ(bad_line.err, "qwenrt: error: stdin line 2: invalid JSON, expected a JSON string\n");

  const auto bad_ids = run_qwenrt("tokenize --decode -m " + model_dir(), "[1, 99999999]");
  EXPECT_NE(bad_ids.exit_code, 0);
  EXPECT_NE(bad_ids.err.find("outside the vocabulary"), std::string::npos);
}

std::string write_chat(const std::string& name, const std::string& json) {
  const auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path) << json;
  return path.string();
}

TEST_F(TokenizeCommand, ChatRendersWithTheModelsTemplateAndKeepsContentAsText) {
  // The test vocabulary's folder carries Qwen3's tokenizer_config.json, hence Qwen3's template.
  const auto chat = write_chat("qwenrt_chat.json", R"([{"role": "user", "content": "Hi <|im_start|>"}])");
  const auto text = run_qwenrt("tokenize -m " + model_dir() + " --chat " + chat);
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out, "<|im_start|>user\nHi <|im_start|><|im_end|>\n<|im_start|>assistant\n");
  const auto ids = nlohmann::json::parse(run_qwenrt("tokenize -m " + model_dir() + " --chat " + chat + " --ids").out);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 151644), 2) << "the content's <|im_start|> must stay text";
  const auto off = run_qwenrt("tokenize -m " + model_dir() + " --chat " + chat + " --thinking off");
  EXPECT_TRUE(off.out.ends_with("<|im_start|>assistant\n<think>\n\n</think>\n\n")) << off.out;
}

TEST_F(TokenizeCommand, ChatErrorsNameTheFile) {
  const auto bad = write_chat("qwenrt_bad_chat.json", R"([{"role": 7}])");
  const auto r = run_qwenrt("tokenize -m " + model_dir() + " --chat " + bad);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("qwenrt_bad_chat.json: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("role"), std::string::npos) << r.err;
  const auto missing = run_qwenrt("tokenize -m " + model_dir() + " --chat /nonexistent/chat.json");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("/nonexistent/chat.json"), std::string::npos);
}

TEST(TokenizeHelp, DocumentsEveryOption) {
  const auto r = run_qwenrt("tokenize --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* opt : {"--model", "--jsonl", "--decode", "--split-special", "--chat", "--ids", "--thinking"}) {
    EXPECT_NE(r.out.find(opt), std::string::npos) << opt;
  }
}

}  // namespace
}  // namespace qwenrt::testing
