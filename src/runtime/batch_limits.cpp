#include "runtime/batch_limits.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace qwenrt::runtime {
namespace {

constexpr std::size_t kLargeGpuBytes = std::size_t{70} << 30;

bool is_a100(const std::string& name) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower.find("a100") != std::string::npos;
}

}  // namespace

DeviceTier device_tier(const std::optional<cuda::DeviceInfo>& gpu) {
  if (!gpu) return DeviceTier::kCpu;
  // vLLM found larger token budgets slower on the A100 (vLLM pull request #17885).
  return gpu->memory_bytes >= kLargeGpuBytes && !is_a100(gpu->name) ? DeviceTier::kLargeGpu : DeviceTier::kGpu;
}

BatchLimits default_batch_limits(DeviceTier tier, Workload workload) {
  const bool offline = workload == Workload::kOffline;
  switch (tier) {
    case DeviceTier::kLargeGpu: return offline ? BatchLimits{1024, 16384} : BatchLimits{1024, 8192};
    case DeviceTier::kGpu: return offline ? BatchLimits{256, 8192} : BatchLimits{256, 2048};
    case DeviceTier::kCpu: break;
  }
  return offline ? BatchLimits{256, 8192} : BatchLimits{64, 2048};
}

}  // namespace qwenrt::runtime
