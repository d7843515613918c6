// Reads the JSON Lines files of the generated tokenizer test data (scripts/make_testdata.sh): the
// corpus (one JSON string per line) and the reference ids (one JSON array per line).
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.h"

namespace qwenrt::testing {

// One value per line; throws Error naming the file and line when it cannot be read or parsed.
template <typename T>
std::vector<T> read_json_lines(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(file.string(), ": cannot open");
  std::vector<T> values;
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    try {
      values.push_back(nlohmann::json::parse(line).get<T>());
    } catch (const nlohmann::json::exception& e) {
      fail(file.string(), ":", number, ": ", e.what());
    }
  }
  return values;
}

}  // namespace qwenrt::testing
