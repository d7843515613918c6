// A test fixture for commands run on the tiny model with the whole Qwen vocabulary
// (model::testing::write_tiny_chat_model): written by the first test of the process, removed after
// the suite.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "model/tiny_checkpoint.h"

namespace qwenrt::testing {

// Set up in each test rather than once per suite: a failure in SetUpTestSuite would leave the tests
// reported as skipped instead of failed.
class TinyModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto tokenizer_dir = std::filesystem::path(QWENRT_TESTDATA_DIR) / "tokenizer";
    ASSERT_TRUE(std::filesystem::exists(tokenizer_dir / "tokenizer.json")) << "run scripts/make_testdata.sh first";
    dir_ = std::filesystem::temp_directory_path() / ("qwenrt_cli_model_" + std::to_string(::getpid()));
    if (std::filesystem::exists(dir_ / "tokenizer_config.json")) return;  // made by an earlier test
    model::testing::write_tiny_chat_model(dir_, tokenizer_dir);
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  static const std::filesystem::path& dir() { return dir_; }
  // The model flags of a command line.
  static std::string model() { return " -m " + dir_.string() + " --threads 2"; }

 private:
  static inline std::filesystem::path dir_;
};

}  // namespace qwenrt::testing
