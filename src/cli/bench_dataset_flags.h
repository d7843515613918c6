// The dataset options that `bench throughput` and `bench serving` share, and the request draw they
// make from them: the same file, count and seed give both the same requests.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/bench/sharegpt_dataset.h"

namespace qwenrt::cli {

struct BenchDatasetFlags {
  std::string dataset;
  std::size_t num_prompts = 1000;
  std::uint64_t seed = 0;
  std::string save_requests;

  void add_to(CLI::App& command);
  // Reads --dataset; throws Error naming the file at fault. Commands read it before they load a model,
  // so that a bad file fails at once.
  std::vector<bench::ShareGptConversation> read() const;
  // Draws the requests from what read() returned, says on stderr what was drawn, and writes them to
  // --save-requests when given, with about (how the command generates them) added to the file.
  std::vector<bench::SampledRequest> sample(const std::vector<bench::ShareGptConversation>& conversations,
                                            const tokenizer::Tokenizer& tokenizer, nlohmann::json about) const;
};

}  // namespace qwenrt::cli
