#include "core/error.h"
#include "kernels/cuda/device_bandwidth.h"

namespace qwenrt::cuda {

double measure_device_copy_bandwidth(int, std::size_t, int) {
  fail("the CUDA backend is not available: this qwenrt was built without the CUDA toolkit");
}

}  // namespace qwenrt::cuda
