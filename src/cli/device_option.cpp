#include "cli/device_option.h"

#include "kernels/cuda/device_info.h"

namespace qwenrt::cli {

void add_device_option(CLI::App& command, std::string& value) {
  value = "cpu";
  command.add_option("--device", value, "cpu, cuda, or auto (cuda when a CUDA device is present)")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}))
      ->capture_default_str();
}

Device resolve_device(const std::string& value) {
  if (value == "cpu") return Device::kCpu;
  if (value == "cuda") return Device::kCuda;
  return cuda::list_devices().empty() ? Device::kCpu : Device::kCuda;
}

const char* device_name(Device device) { return device == Device::kCuda ? "cuda" : "cpu"; }

}  // namespace qwenrt::cli
