// Shared pieces of the CUDA kernel tests: skipping where there is no GPU, bf16 data on both sides,
// poisoned output buffers and the error measure.
#pragma once

#include <cuda_bf16.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "core/dtype.h"
#include "kernels/cuda/device_buffer.h"
#include "kernels/cuda/device_info.h"

namespace qwenrt::cuda::testing {

// GPU tests derive from this: without a CUDA device they are skipped, saying so.
class CudaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (list_devices().empty()) GTEST_SKIP() << "no CUDA device on this machine: GPU test skipped";
  }
};

// Random values that are exactly representable in bf16: bits for the GPU, values for the CPU kernels.
struct Bf16Data {
  std::vector<std::uint16_t> bits;
  std::vector<float> values;
};

inline Bf16Data random_bf16(std::mt19937& rng, std::size_t count, float low = -1.0f, float high = 1.0f) {
  std::uniform_real_distribution<float> dist(low, high);
  Bf16Data data;
  for (std::size_t i = 0; i < count; ++i) {
    data.bits.push_back(float_to_bf16(dist(rng)));
    data.values.push_back(bf16_to_float(data.bits.back()));
  }
  return data;
}

inline std::vector<float> random_floats(std::mt19937& rng, std::size_t count, float low = -1.0f, float high = 1.0f) {
  std::uniform_real_distribution<float> dist(low, high);
  std::vector<float> values(count);
  for (float& v : values) v = dist(rng);
  return values;
}

// x rounded to bf16 and back, element by element.
inline std::vector<float> rounded_to_bf16(std::vector<float> x) {
  for (float& v : x) v = bf16_to_float(float_to_bf16(v));
  return x;
}

inline DeviceBuffer<__nv_bfloat16> bf16_to_device(const std::vector<std::uint16_t>& bits) {
  DeviceBuffer<__nv_bfloat16> buffer(bits.size());
  QWENRT_CUDA_CHECK(cudaMemcpy(buffer.data(), bits.data(), bits.size() * 2, cudaMemcpyHostToDevice));
  return buffer;
}

inline std::vector<float> bf16_to_host(const __nv_bfloat16* device, std::size_t count) {
  std::vector<std::uint16_t> bits(count);
  QWENRT_CUDA_CHECK(cudaMemcpy(bits.data(), device, count * 2, cudaMemcpyDeviceToHost));
  std::vector<float> values(count);
  for (std::size_t i = 0; i < count; ++i) values[i] = bf16_to_float(bits[i]);
  return values;
}

// A device buffer of all-ones bytes, NaN as bf16 and as float: an element a kernel fails to write
// stays NaN and fails the comparison.
template <typename T>
DeviceBuffer<T> poisoned(std::size_t count) {
  DeviceBuffer<T> buffer(count);
  QWENRT_CUDA_CHECK(cudaMemset(buffer.data(), 0xff, buffer.bytes()));
  return buffer;
}

// ||got - want|| / ||want||, infinity when got holds a NaN or the sizes differ.
inline double relative_error(const std::vector<float>& got, const std::vector<float>& want) {
  if (got.size() != want.size()) return std::numeric_limits<double>::infinity();
  double diff = 0, norm = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(got[i])) return std::numeric_limits<double>::infinity();
    diff += (static_cast<double>(got[i]) - want[i]) * (static_cast<double>(got[i]) - want[i]);
    norm += static_cast<double>(want[i]) * want[i];
  }
  return std::sqrt(diff / norm);
}

// Each element of got is want rounded to bf16: within half a bf16 unit in the last place (at most
// 2^-8 relative), plus a relative margin for float rounding differences between the two computations,
// plus an absolute one where want is a sum that may cancel to far below its terms (a dot product:
// summed in another order, it differs by float roundings of the terms, not of the result).
inline void expect_bf16_rounding_of(const std::vector<float>& got, const std::vector<float>& want, double margin,
                                    double absolute = 0) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    ASSERT_NEAR(got[i], want[i], std::fabs(want[i]) * (1.0 / 256 + margin) + absolute + 1e-30) << "element " << i;
  }
}

}  // namespace qwenrt::cuda::testing
