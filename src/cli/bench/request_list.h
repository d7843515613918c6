// The sampled requests written out (--save-requests), so that a peer measured in the same run
// (bench/transformers_throughput.py) generates exactly the same prompts, token for token, with the
// same output lengths: {"about": {...}, "requests": [{"id", "prompt", "prompt_ids", "output_len"}]}.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "cli/bench/sharegpt_dataset.h"

namespace qwenrt::bench {

// about says where the requests came from and how to generate them. Throws Error naming the file
// when it cannot be written.
void write_request_list(const std::filesystem::path& file, const std::vector<SampledRequest>& requests,
                        const nlohmann::json& about);

}  // namespace qwenrt::bench
