// Each subcommand registers itself on the application; its callback throws qwenrt::Error on bad input.
#pragma once

#include <CLI/CLI.hpp>

namespace qwenrt::cli {

void add_tokenize_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_chat_command(CLI::App& app);
void add_serve_command(CLI::App& app);

// The subcommands of `bench` besides latency, each registering itself on it.
void add_bench_throughput_command(CLI::App& bench);
void add_bench_serving_command(CLI::App& bench);
void add_bench_make_dataset_command(CLI::App& bench);

}  // namespace qwenrt::cli
