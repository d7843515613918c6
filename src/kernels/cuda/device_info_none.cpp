#include "kernels/cuda/device_info.h"

namespace qwenrt::cuda {

bool compiled_with_cuda() { return false; }

std::vector<DeviceInfo> list_devices() { return {}; }

}  // namespace qwenrt::cuda
