// How many sequences and tokens a step batches when the user sets neither, by what the engine runs
// on. Bigger batches make the matrix products of a step compute-bound and admit every waiting request
// sooner, so an offline run's longest requests start early; memory and the token budget's activations
// decide how far that pays. The GPU rule is vLLM's (vllm/engine/arg_utils.py, get_batch_defaults):
// devices of 70 GiB or more other than the A100 (H100, H200) take 1,024 sequences and 16,384 tokens
// offline, 8,192 when serving; smaller GPUs 256 sequences and 8,192 / 2,048 tokens. On an H200 with
// Qwen2.5-7B this measured 10,830 output tokens/s offline against 10,423 at 256 / 8,192
// (docs/PERFORMANCE.md). The CPU keeps batches a CPU can turn round in seconds.
#pragma once

#include <cstddef>
#include <optional>

#include "kernels/cuda/device_info.h"

namespace qwenrt::runtime {

enum class Workload { kOffline, kServing };

struct BatchLimits {
  std::size_t max_num_seqs = 0;
  std::size_t max_num_batched_tokens = 0;
};

// The kinds of device that differ in their defaults.
enum class DeviceTier {
  kLargeGpu,  // 70 GiB or more, not an A100
  kGpu,       // any other CUDA device
  kCpu,
};

// gpu: the CUDA device the engine runs on, or nullopt for the CPU.
DeviceTier device_tier(const std::optional<cuda::DeviceInfo>& gpu);

BatchLimits default_batch_limits(DeviceTier tier, Workload workload);

}  // namespace qwenrt::runtime
