#include "cli/device_option.h"

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

engine::DeviceKind resolve_device(const std::string& value) {
  if (value == "cpu") return engine::DeviceKind::kCpu;
  if (value == "cuda") return engine::DeviceKind::kCuda;
  return cuda::list_devices().empty() ? engine::DeviceKind::kCpu : engine::DeviceKind::kCuda;
}

}  // namespace qwenrt::cli
