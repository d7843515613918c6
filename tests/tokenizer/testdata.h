// Where the generated tokenizer test data lives, and a failure (not a skip) when it is missing.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>

namespace qwenrt::testing {

inline std::filesystem::path tokenizer_testdata() { return std::filesystem::path(QWENRT_TESTDATA_DIR) / "tokenizer"; }

// Fails the calling test when the file is absent; use as ASSERT_TRUE(have_testdata_file(...)).
inline ::testing::AssertionResult have_testdata_file(const std::filesystem::path& file) {
  if (std::filesystem::exists(file)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << file << " is missing: run scripts/make_testdata.sh first";
}

}  // namespace qwenrt::testing
