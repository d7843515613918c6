#include "cli/device_option.h"

#include <algorithm>
#include <string>

#include "kernels/cuda/device_info.h"

namespace qwenrt::cli {

void DeviceFlags::add_to(CLI::App& command) {
  command.add_option("--device", device, "cpu, cuda, or auto (cuda when a CUDA device is present)")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}))
      ->capture_default_str();
  command.add_option("--gpu-memory-utilization", gpu_memory_utilization,
                     "Share of the GPU's memory for weights, activations and the KV cache")
      ->check(CLI::Range(0.01, 1.0))
      ->capture_default_str();
  command.add_option("--threads", threads, "CPU threads (0: all)")->capture_default_str();
  command.add_flag("--no-cuda-graphs", no_cuda_graphs, "Launch every decode kernel from the host (to measure graphs)");
}

engine::BackendOptions DeviceFlags::backend_options() const {
  engine::BackendOptions options;
  options.device = resolve_device(device);
  options.gpu_memory_utilization = gpu_memory_utilization;
  options.cpu_threads = threads;
  options.cuda_graphs = !no_cuda_graphs;
  return options;
}

runtime::BatchLimits DeviceFlags::batch_limits(runtime::Workload workload, std::optional<std::size_t> max_num_seqs,
                                               std::optional<std::size_t> max_num_batched_tokens) const {
  std::optional<cuda::DeviceInfo> gpu;
  if (resolve_device(device) == engine::DeviceKind::kCuda) {
    const engine::BackendOptions options = backend_options();
    for (const cuda::DeviceInfo& info : cuda::list_devices()) {
      if (info.index == options.gpu) gpu = info;
    }
  }
  const runtime::BatchLimits defaults = runtime::default_batch_limits(runtime::device_tier(gpu), workload);
  runtime::BatchLimits limits;
  limits.max_num_batched_tokens = max_num_batched_tokens.value_or(defaults.max_num_batched_tokens);
  limits.max_num_seqs = max_num_seqs.value_or(std::min(defaults.max_num_seqs, limits.max_num_batched_tokens));
  return limits;
}

void add_batch_limit_options(CLI::App& command, runtime::Workload workload, std::optional<std::size_t>& max_num_seqs,
                             std::optional<std::size_t>& max_num_batched_tokens) {
  const auto help = [workload](bool seqs) {
    const auto pick = [seqs, workload](runtime::DeviceTier tier) {
      const runtime::BatchLimits l = runtime::default_batch_limits(tier, workload);
      return std::to_string(seqs ? l.max_num_seqs : l.max_num_batched_tokens);
    };
    return std::string(seqs ? "Requests running at once" : "Tokens in one forward step") + " (default: " +
           pick(runtime::DeviceTier::kLargeGpu) + " on GPUs of 70 GiB or more but the A100, " +
           pick(runtime::DeviceTier::kGpu) + " on other GPUs, " + pick(runtime::DeviceTier::kCpu) + " on the CPU)";
  };
  command.add_option("--max-num-seqs", max_num_seqs, help(true));
  command.add_option("--max-num-batched-tokens", max_num_batched_tokens, help(false));
}

engine::DeviceKind resolve_device(const std::string& value) {
  if (value == "cpu") return engine::DeviceKind::kCpu;
  if (value == "cuda") return engine::DeviceKind::kCuda;
  return cuda::list_devices().empty() ? engine::DeviceKind::kCpu : engine::DeviceKind::kCuda;
}

}  // namespace qwenrt::cli
