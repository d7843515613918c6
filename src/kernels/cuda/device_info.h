// What CUDA devices this process can use. Built on every machine: without the CUDA toolkit (or without
// a GPU) the list is simply empty, so callers choose the CPU path instead of failing.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace qwenrt::cuda {

struct DeviceInfo {
  int index;
  std::string name;
  int compute_major;
  int compute_minor;
  int multiprocessors;
  std::size_t memory_bytes;
};

// True when this binary was compiled with the CUDA backend.
bool compiled_with_cuda();

// The usable devices; empty when none is present or the driver cannot be reached.
std::vector<DeviceInfo> list_devices();

// Bytes of the device's memory in use now, by every process (0 without CUDA).
std::size_t device_memory_in_use(int device);

}  // namespace qwenrt::cuda
