// What the benchmark tests share: the real Qwen tokenizer from the test data, files written to a
// scratch folder of this process, and checks of one-line errors.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>

#include "core/error.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::bench::testing {

// Loaded once for the whole binary (a Tokenizer is safe to share); null, with the calling test
// failed, when the test data is missing.
inline const tokenizer::Tokenizer* qwen_tokenizer() {
  static const std::unique_ptr<tokenizer::Tokenizer> loaded = []() -> std::unique_ptr<tokenizer::Tokenizer> {
    const auto file = std::filesystem::path(QWENRT_TESTDATA_DIR) / "tokenizer/tokenizer.json";
    if (!std::filesystem::exists(file)) return nullptr;
    return std::make_unique<tokenizer::Tokenizer>(tokenizer::Tokenizer::from_tokenizer_json(file));
  }();
  if (!loaded) ADD_FAILURE() << QWENRT_TESTDATA_DIR << "/tokenizer/tokenizer.json is missing: run scripts/make_testdata.sh first";
  return loaded.get();
}

inline std::filesystem::path scratch_file(const std::string& name, const std::string& content) {
  const auto dir = std::filesystem::temp_directory_path() / ("qwenrt_bench_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << content;
  return dir / name;
}

// The message of the Error that run throws, or a failure when it throws none or another kind.
inline ::testing::AssertionResult throws_error_with(const std::function<void()>& run, const std::string& part) {
  try {
    run();
  } catch (const Error& e) {
    const std::string message = e.what();
    if (message.find(part) == std::string::npos) return ::testing::AssertionFailure() << "message: " << message;
    if (message.find('\n') != std::string::npos) return ::testing::AssertionFailure() << "not one line: " << message;
    return ::testing::AssertionSuccess() << message;
  }
  return ::testing::AssertionFailure() << "no Error thrown";
}

}  // namespace qwenrt::bench::testing
