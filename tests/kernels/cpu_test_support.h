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
#include "core/weight_quantization.h"
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

// A rows x cols matrix quantized row by row (core/weight_quantization.h), its codes at an odd byte
// offset, with the float value every code stands for.
struct QuantizedMatrix {
  WeightQuantization quantization = WeightQuantization::kInt8;
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::size_t group_size = 0;
  std::vector<std::byte> storage;
  std::size_t offset = 1;
  std::vector<float> scales;
  std::vector<std::uint8_t> zeros;
  std::vector<float> values;  // scale * q or scale * (q - zero), computed here independently

  WeightMatrix view() const {
    WeightMatrix w{DType::kF32, storage.data() + offset, rows, cols};
    w.quantization = quantization;
    w.group_size = group_size;
    w.scales = scales.data();
    w.zeros = zeros.empty() ? nullptr : zeros.data();
    return w;
  }
};

inline QuantizedMatrix make_quantized_matrix(std::mt19937& rng, WeightQuantization quantization, std::size_t rows,
                                             std::size_t cols, std::size_t group_size = 0) {
  QuantizedMatrix m;
  m.quantization = quantization;
  m.rows = rows;
  m.cols = cols;
  m.group_size = group_size;
  const std::size_t row_bytes = quantized_row_bytes(quantization, cols);
  const std::size_t groups = quantized_row_groups(quantization, cols, group_size);
  m.storage.resize(m.offset + rows * row_bytes);
  m.scales.resize(rows * groups);
  if (quantization == WeightQuantization::kInt4) m.zeros.resize(rows * groups);
  m.values.resize(rows * cols);
  for (std::size_t r = 0; r < rows; ++r) {
    // Rows of different magnitudes and offsets, so that scales and zero points differ.
    const float magnitude = 0.05f + 0.3f * static_cast<float>(r % 7);
    const std::vector<float> row = random_floats(rng, cols, -magnitude, magnitude * 0.6f);
    auto* codes = reinterpret_cast<std::uint8_t*>(m.storage.data() + m.offset + r * row_bytes);
    if (quantization == WeightQuantization::kInt8) {
      auto* q = reinterpret_cast<std::int8_t*>(codes);
      m.scales[r] = quantize_row_int8(row, {q, cols});
      for (std::size_t c = 0; c < cols; ++c) m.values[r * cols + c] = m.scales[r] * static_cast<float>(q[c]);
    } else {
      quantize_row_int4(row, group_size, {codes, row_bytes}, {m.scales.data() + r * groups, groups},
                        {m.zeros.data() + r * groups, groups});
      for (std::size_t c = 0; c < cols; ++c) {
        const std::size_t g = r * groups + c / group_size;
        const int q = c % 2 == 0 ? codes[c / 2] & 0x0F : codes[c / 2] >> 4;
        m.values[r * cols + c] = m.scales[g] * static_cast<float>(q - m.zeros[g]);
      }
    }
  }
  return m;
}

}  // namespace qwenrt::cpu::testing
