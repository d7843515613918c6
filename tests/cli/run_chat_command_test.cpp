// `qwenrt run` and `qwenrt chat` end to end, on the tiny model with the real Qwen vocabulary.
#include <gtest/gtest.h>

#include "run_command.h"
#include "tiny_model_fixture.h"

namespace qwenrt::testing {
namespace {

class GenerateCommands : public TinyModelTest {};

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
