// `qwenrt run` and `qwenrt chat` end to end, on a tiny random-weight Qwen2 model that carries the real
// Qwen vocabulary (tokenizer files from the test data), so every piece of the path runs: template,
// tokenizer, forward pass, sampling, stop handling, streaming detokenizer.
#include <gtest/gtest.h>

#include "model/tiny_checkpoint.h"
#include "run_command.h"

namespace qwenrt::testing {
namespace {

// Set up in each test rather than once per suite: a failure in SetUpTestSuite would leave the tests
// reported as skipped instead of failed.
class GenerateCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto tokenizer_dir = std::filesystem::path(QWENRT_TESTDATA_DIR) / "tokenizer";
    ASSERT_TRUE(std::filesystem::exists(tokenizer_dir / "tokenizer.json")) << "run scripts/make_testdata.sh first";
    dir_ = std::filesystem::temp_directory_path() / ("qwenrt_cli_model_" + std::to_string(::getpid()));
    if (std::filesystem::exists(dir_ / "tokenizer_config.json")) return;  // made by an earlier test
    model::testing::write_tiny_chat_model(dir_, tokenizer_dir);
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  static std::string model() { return " -m " + dir_.string() + " --threads 2"; }

  static std::filesystem::path dir_;
};
std::filesystem::path GenerateCommands::dir_;

// Each answer ends with its statistics line on stderr.
long answers(const CommandResult& r) {
  long n = 0;
  for (std::size_t pos = r.err.find("; finish "); pos != std::string::npos; pos = r.err.find("; finish ", pos + 1)) ++n;
  return n;
}

TEST_F(GenerateCommands, RunStreamsAnAnswerAndReportsSpeed) {
  const auto a = run_qwenrt("run" + model() + " -p 'Hello' --max-new-tokens 6 --temperature 0");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_FALSE(a.out.empty());
  EXPECT_EQ(a.out.back(), '\n');
  EXPECT_NE(a.err.find("tokens/s"), std::string::npos) << a.err;
  EXPECT_NE(a.err.find("6 tokens"), std::string::npos) << a.err;  // greedy random weights never stop early here
  EXPECT_NE(a.err.find("finish length"), std::string::npos) << a.err;
  const auto b = run_qwenrt("run" + model() + " -p 'Hello' --max-new-tokens 6 --temperature 0");
  EXPECT_EQ(a.out, b.out) << "greedy decoding must be deterministic";
}

TEST_F(GenerateCommands, SeededSamplingIsReproducible) {
  const std::string args = "run" + model() + " -p 'Tell me a story' --max-new-tokens 8 --temperature 1.0 --top-p 0.9";
  const auto a = run_qwenrt(args + " --seed 11");
  const auto b = run_qwenrt(args + " --seed 11");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
}

TEST_F(GenerateCommands, RawSkipsTheTemplateAndSystemIsAccepted) {
  EXPECT_EQ(run_qwenrt("run" + model() + " --raw -p 'def f(x):' --max-new-tokens 3 --temperature 0").exit_code, 0);
  EXPECT_EQ(run_qwenrt("run" + model() + " --system 'Be brief.' -p 'Hi' --max-new-tokens 3 --temperature 0").exit_code, 0);
}

TEST_F(GenerateCommands, PromptLongerThanTheContextIsAClearError) {
  const auto r = run_qwenrt("run" + model() + " --max-context 32 -p '" + std::string(400, 'x') + " y z'");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("the context holds 32"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST_F(GenerateCommands, ChatReadsOneMessagePerLineFromAPipe) {
  const auto r = run_qwenrt("chat" + model() + " --max-new-tokens 4 --temperature 0",
                            "Hello\n/clear\n/system You are terse.\nWhat is 2+2?\n/unknown\n/exit\nnot read\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(answers(r), 2) << r.err;
  EXPECT_NE(r.err.find("unknown command /unknown"), std::string::npos) << r.err;
}

TEST_F(GenerateCommands, ChatEndsCleanlyWhenStdinIsClosed) {
  const auto r = run_qwenrt("chat" + model(), "");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(GenerateCommands, ChatDropsOldTurnsToFitTheContextAndKeepsGoing) {
  // Each exchange is ~30 tokens; a 96-token context holds the newest one or two only.
  std::string input;
  for (int i = 0; i < 6; ++i) input += "Message number " + std::to_string(i) + " with a few more words in it\n";
  input += std::string(200, 'w') + " " + std::string(200, 'v') + "\n";  // alone too long for the context
  input += "still here?\n";
  const auto r = run_qwenrt("chat" + model() + " --max-context 96 --max-new-tokens 8 --temperature 0", input);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(answers(r), 7) << r.err;
  EXPECT_NE(r.err.find("this message is too long"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace qwenrt::testing
