// `qwenrt bench make-dataset`: writes a synthetic ShareGPT file for machines that cannot fetch the real
// one, with ShareGPT's length distribution in the model's tokens (cli/bench/sharegpt_generator.h), then
// reads it back as the benchmarks will and reports the lengths it holds.
#include <iostream>
#include <memory>

#include "cli/bench/sharegpt_dataset.h"
#include "cli/bench/sharegpt_generator.h"
#include "cli/commands.h"
#include "core/file_io.h"

namespace qwenrt::cli {
namespace {

struct MakeDatasetOptions {
  std::string model_dir;
  std::string out;
  std::size_t conversations = 10000;
  std::uint64_t seed = 0;
  bool json = false;
};

nlohmann::ordered_json lengths_json(const bench::ShareGptLengths& l) {
  return {
      {"multi_turn_conversations", l.multi_turn},
      {"valid_pairs", l.valid},
      {"all_prompt_tokens", l.prompt.to_json()},
      {"all_output_tokens", l.output.to_json()},
      {"valid_prompt_tokens", l.valid_prompt.to_json()},
      {"valid_output_tokens", l.valid_output.to_json()},
  };
}

void print_lengths(const std::string& what, const bench::SummaryStats& s) {
  std::cout << "  " << what << ": mean " << s.mean << ", median " << s.p50 << ", p90 " << s.p90 << ", p99 " << s.p99
            << "\n";
}

void run_make_dataset(const MakeDatasetOptions& opt) {
  const tokenizer::Tokenizer tokenizer = tokenizer::Tokenizer::from_directory(opt.model_dir);
  write_file(opt.out, bench::sharegpt_json(bench::generate_sharegpt(tokenizer, opt.conversations, opt.seed)));
  const auto read_back = bench::read_sharegpt(opt.out);
  const bench::ShareGptLengths l = bench::measure_sharegpt(read_back, tokenizer);
  if (opt.json) {
    nlohmann::ordered_json report = {{"file", opt.out}, {"conversations", read_back.size()}, {"seed", opt.seed}};
    report.update(lengths_json(l));
    std::cout << report.dump(2) << "\n";
    return;
  }
  std::cout << opt.out << ": " << read_back.size() << " conversations, " << l.multi_turn << " of two turns, "
            << l.valid << " pairs within vLLM's limits\n"
            << "tokens of the pairs a benchmark samples from:\n";
  print_lengths("prompt", l.valid_prompt);
  print_lengths("output", l.valid_output);
  std::cout << "tokens of all first exchanges:\n";
  print_lengths("prompt", l.prompt);
  print_lengths("output", l.output);
}

}  // namespace

void add_bench_make_dataset_command(CLI::App& bench) {
  auto opt = std::make_shared<MakeDatasetOptions>();
  CLI::App* cmd = bench.add_subcommand(
      "make-dataset",
      "Write a synthetic ShareGPT file (English prose, exact token counts in the model's tokenizer) whose first "
      "exchanges follow ShareGPT's lengths: log-normal prompts (median 165 tokens, sigma 1.2, at most 8192) and "
      "answers (median 135, sigma 0.9, at most 4096), 2% without an answer. After vLLM's filter (4..1024 prompt "
      "tokens, >= 4 output, <= 2048 together) the means are ShareGPT's as published for 128K-vocabulary "
      "tokenizers: 224.0 prompt / 198.1 output tokens (sglang issue #2805, 1648 requests) and 229.7 / 203.1 (vLLM "
      "PR #18566, 1000 requests); the vLLM paper (SOSP 2023, sec. 6.1) has ShareGPT 8.4x longer inputs and 5.8x "
      "longer outputs than Alpaca. See docs/BENCHMARKS.md");
  cmd->add_option("-m,--model", opt->model_dir, "Model folder whose tokenizer counts the tokens")->required();
  cmd->add_option("--out", opt->out, "The JSON file to write")->required();
  cmd->add_option("--conversations", opt->conversations, "Conversations to write")->capture_default_str();
  cmd->add_option("--seed", opt->seed, "Seed of the lengths and words")->capture_default_str();
  cmd->add_flag("--json", opt->json, "Print the file's length statistics as JSON");
  cmd->callback([opt] { run_make_dataset(*opt); });
}

}  // namespace qwenrt::cli
