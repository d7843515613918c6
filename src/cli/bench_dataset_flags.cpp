#include "cli/bench_dataset_flags.h"

#include <iostream>

#include "cli/bench/request_list.h"

namespace qwenrt::cli {

void BenchDatasetFlags::add_to(CLI::App& command) {
  command.add_option("--dataset", dataset, "ShareGPT JSON file (ShareGPT_V3_unfiltered_cleaned_split.json or `bench make-dataset`)")
      ->required();
  command.add_option("--num-prompts", num_prompts, "Requests to draw from the dataset")->capture_default_str();
  command.add_option("--seed", seed, "Seed of the draw from the dataset (and of sampling or arrival times)")->capture_default_str();
  command.add_option("--save-requests", save_requests,
                     "Write the drawn requests (prompt text and ids, output length) to this JSON file, for "
                     "bench/transformers_throughput.py");
}

std::vector<bench::ShareGptConversation> BenchDatasetFlags::read() const { return bench::read_sharegpt(dataset); }

std::vector<bench::SampledRequest> BenchDatasetFlags::sample(const std::vector<bench::ShareGptConversation>& conversations,
                                                             const tokenizer::Tokenizer& tokenizer, nlohmann::json about) const {
  const bench::SampledDataset drawn = bench::sample_sharegpt(conversations, tokenizer, {num_prompts, seed}, dataset);
  std::size_t prompt_tokens = 0, output_tokens = 0;
  for (const bench::SampledRequest& r : drawn.requests) {
    prompt_tokens += r.prompt_ids.size();
    output_tokens += r.output_len;
  }
  const auto n = static_cast<double>(drawn.requests.size());
  std::cerr << "dataset " << dataset << ": " << drawn.requests.size() << " requests (seed " << seed << ") from "
            << drawn.conversations << " conversations, " << drawn.multi_turn << " of two turns or more; "
            << drawn.valid << " of " << drawn.examined << " pairs examined kept; mean prompt "
            << static_cast<double>(prompt_tokens) / n << " tokens, mean output " << static_cast<double>(output_tokens) / n
            << " tokens\n";
  if (drawn.resampled > 0) {
    std::cerr << "qwenrt: note: the file has only " << drawn.valid << " valid pairs; " << drawn.resampled
              << " requests repeat them, drawn at random\n";
  }
  if (!save_requests.empty()) {
    about["dataset"] = dataset;
    about["num_prompts"] = num_prompts;
    about["seed"] = seed;
    bench::write_request_list(save_requests, drawn.requests, about);
  }
  return drawn.requests;
}

}  // namespace qwenrt::cli
