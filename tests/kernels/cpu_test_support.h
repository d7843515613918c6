// Shared pieces of the CPU kernel tests: running a test once per SIMD level this CPU supports, random
// inputs, and weight matrices stored byte for byte as a safetensors file would hold them.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "kernels/cpu/simd_level.h"
#include "kernels/cpu/weight_matrix.h"

namespace qwenrt::cpu::testing {

// The unit roundoff of float: every correctly rounded float operation errs by at most u relative.
constexpr double kFloatUnitRoundoff = 1.0 / (1 << 24);

// A test fixture run once per supported SIMD level, with the kernels forced to that level.
class SimdLevelTest : public ::testing::TestWithParam<SimdLevel> {
 protected:
  void SetUp() override {
    saved_ = simd_level();
    set_simd_level(GetParam());
  }
  void TearDown() override { set_simd_level(saved_); }

 private:
  SimdLevel saved_ = SimdLevel::kScalar;
};

inline std::string simd_level_test_name(const ::testing::TestParamInfo<SimdLevel>& info) {
  return std::string(simd_level_name(info.param));
}

#define QWENRT_INSTANTIATE_FOR_SIMD_LEVELS(Suite)                                                      \
  INSTANTIATE_TEST_SUITE_P(Levels, Suite, ::testing::ValuesIn(::qwenrt::cpu::supported_simd_levels()), \
                           ::qwenrt::cpu::testing::simd_level_test_name)

inline std::vector<float> random_floats(std::mt19937& rng, std::size_t count, float low = -1.0f, float high = 1.0f) {
  std::uniform_real_distribution<float> dist(low, high);
  std::vector<float> values(count);
  for (float& v : values) v = dist(rng);
  return values;
}

// A rows x cols matrix stored in dtype at an odd byte offset (safetensors promises no alignment),
// with the exact float value of every stored element for the reference computation.
struct StoredMatrix {
  DType dtype = DType::kF32;
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<std::byte> storage;
  std::size_t offset = 1;
  std::vector<float> values;  // what each stored element widens to

  WeightMatrix view() const { return WeightMatrix{dtype, storage.data() + offset, rows, cols}; }
};

inline StoredMatrix make_stored_matrix(std::mt19937& rng, DType dtype, std::size_t rows, std::size_t cols) {
  StoredMatrix m;
  m.dtype = dtype;
  m.rows = rows;
  m.cols = cols;
  const std::size_t count = rows * cols;
  m.storage.resize(m.offset + count * dtype_size(dtype));
  m.values = random_floats(rng, count);
  std::byte* out = m.storage.data() + m.offset;
  for (std::size_t i = 0; i < count; ++i) {
    if (dtype == DType::kF32) {
      std::memcpy(out + 4 * i, &m.values[i], 4);
      continue;
    }
    const std::uint16_t bits = dtype == DType::kBF16 ? float_to_bf16(m.values[i]) : float_to_f16(m.values[i]);
    std::memcpy(out + 2 * i, &bits, 2);
    m.values[i] = dtype == DType::kBF16 ? bf16_to_float(bits) : f16_to_float(bits);
  }
  return m;
}

}  // namespace qwenrt::cpu::testing
