// The options of every command that runs the transformer: --device (cpu, cuda, or auto: CUDA when
// this binary has it and a CUDA device is present, else the CPU), --gpu-memory-utilization and
// --threads, turned into the engine's BackendOptions.
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <optional>
#include <string>

#include "engine/backend_factory.h"
#include "runtime/batch_limits.h"

namespace qwenrt::cli {

struct DeviceFlags {
  std::string device = "auto";
  double gpu_memory_utilization = 0.9;
  std::size_t threads = 0;
  bool no_cuda_graphs = false;

  void add_to(CLI::App& command);
  // The flags as BackendOptions; the command sets the KV cache and step sizes it needs.
  engine::BackendOptions backend_options() const;
  // The batch limits for the device these flags choose: those the user gave, the rest from
  // runtime::default_batch_limits for its device_tier (sequences no more than the step's tokens, so
  // the two agree).
  runtime::BatchLimits batch_limits(runtime::Workload workload, std::optional<std::size_t> max_num_seqs,
                                    std::optional<std::size_t> max_num_batched_tokens) const;
};

// Adds --max-num-seqs and --max-num-batched-tokens, unset unless given, with help saying their
// defaults for the workload (see DeviceFlags::batch_limits).
void add_batch_limit_options(CLI::App& command, runtime::Workload workload, std::optional<std::size_t>& max_num_seqs,
                             std::optional<std::size_t>& max_num_batched_tokens);

// The device a --device value means here. "cuda" is taken as asked: the backend reports why it
// cannot run, if it cannot.
engine::DeviceKind resolve_device(const std::string& value);

}  // namespace qwenrt::cli
