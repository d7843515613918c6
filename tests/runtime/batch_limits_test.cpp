#include "runtime/batch_limits.h"

#include <gtest/gtest.h>

namespace qwenrt::runtime {
namespace {

cuda::DeviceInfo gpu(const char* name, double gib) {
  return {0, name, 9, 0, 132, static_cast<std::size_t>(gib * (1ull << 30))};
}

void expect_limits(const BatchLimits& got, std::size_t seqs, std::size_t tokens) {
  EXPECT_EQ(got.max_num_seqs, seqs);
  EXPECT_EQ(got.max_num_batched_tokens, tokens);
}

TEST(BatchLimits, LargeGpusBatchAsVllmDoes) {
  for (const auto& device : {gpu("NVIDIA H100 80GB HBM3", 79.1), gpu("NVIDIA H200", 139.8), gpu("AMD-like", 70.0)}) {
    SCOPED_TRACE(device.name);
    EXPECT_EQ(device_tier(device), DeviceTier::kLargeGpu);
  }
  expect_limits(default_batch_limits(DeviceTier::kLargeGpu, Workload::kOffline), 1024, 16384);
  expect_limits(default_batch_limits(DeviceTier::kLargeGpu, Workload::kServing), 1024, 8192);
}

TEST(BatchLimits, SmallGpusAndTheA100TakeVllmsSmallerLimits) {
  for (const auto& device : {gpu("NVIDIA A100-SXM4-80GB", 79.2), gpu("NVIDIA L4", 22.0), gpu("NVIDIA H100", 69.9)}) {
    SCOPED_TRACE(device.name);
    EXPECT_EQ(device_tier(device), DeviceTier::kGpu);
  }
  expect_limits(default_batch_limits(DeviceTier::kGpu, Workload::kOffline), 256, 8192);
  expect_limits(default_batch_limits(DeviceTier::kGpu, Workload::kServing), 256, 2048);
}

TEST(BatchLimits, TheCpuKeepsSmallBatches) {
  EXPECT_EQ(device_tier(std::nullopt), DeviceTier::kCpu);
  expect_limits(default_batch_limits(DeviceTier::kCpu, Workload::kOffline), 256, 8192);
  expect_limits(default_batch_limits(DeviceTier::kCpu, Workload::kServing), 64, 2048);
}

}  // namespace
}  // namespace qwenrt::runtime
