#include "kernels/cuda/device_info.h"

#include <gtest/gtest.h>

namespace qwenrt::cuda {
namespace {

TEST(CudaDevices, ReportsUsableDevicesOrSkips) {
  const auto devices = list_devices();
  if (devices.empty()) {
    GTEST_SKIP() << (compiled_with_cuda() ? "no CUDA device on this machine: GPU tests skipped"
                                          : "built without the CUDA toolkit: GPU tests skipped");
  }
  for (const auto& d : devices) {
    EXPECT_FALSE(d.name.empty());
    EXPECT_GE(d.compute_major, 7);
    EXPECT_GT(d.multiprocessors, 0);
    EXPECT_GT(d.memory_bytes, std::size_t{1} << 30);
  }
}

}  // namespace
}  // namespace qwenrt::cuda
