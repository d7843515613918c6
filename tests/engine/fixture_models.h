// The random-weight fixture checkpoints of tests/data/models and their transformers references, shared
// by every backend's tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/reference_run.h"

namespace qwenrt::engine::testing {

inline std::filesystem::path fixture_dir(const std::string& name) {
  return std::filesystem::path(QWENRT_SOURCE_DIR) / "tests/data/models" / name;
}

inline ReferenceRun load_reference(const std::filesystem::path& file) {
  std::ifstream in(file);
  return reference_from_json(nlohmann::json::parse(in), file.string());
}

// Every fixture, for INSTANTIATE_TEST_SUITE_P, with test names that GoogleTest accepts.
inline auto all_fixture_models() {
  return ::testing::Values("qwen2-f32", "qwen2-bf16", "qwen3-f32", "qwen3-bf16", "qwen-v1-f32", "qwen-v1-bf16");
}

inline std::string fixture_test_name(const ::testing::TestParamInfo<const char*>& info) {
  std::string name = info.param;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

}  // namespace qwenrt::engine::testing
