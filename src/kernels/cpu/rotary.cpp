#include "kernels/cpu/rotary.h"

#include <cmath>

#include "core/error.h"
#include "kernels/cpu/kernel_support.h"

namespace qwenrt::cpu {

RotaryEmbedding::RotaryEmbedding(std::size_t rotary_dim, double base) : rotary_dim_(rotary_dim), base_(base) {
  if (rotary_dim == 0 || rotary_dim % 2 != 0) fail("rotary embedding: rotary_dim ", rotary_dim, " is not even and > 0");
  if (!std::isfinite(base) || base <= 1.0) fail("rotary embedding: base ", base, " is not a finite number > 1");
  // transformers (Qwen2/3) and Qwen v1's modeling_qwen.py both compute
  //   inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim))
  // in float32: the exponent is a float quotient and base enters as a float. Mirrored step by step.
  const float base_f = static_cast<float>(base);
  inv_freq_.resize(rotary_dim / 2);
  for (std::size_t i = 0; i < inv_freq_.size(); ++i) {
    const float exponent = static_cast<float>(2 * i) / static_cast<float>(rotary_dim);
    const auto power = static_cast<float>(std::pow(static_cast<double>(base_f), static_cast<double>(exponent)));
    inv_freq_[i] = 1.0f / power;
  }
}

void RotaryEmbedding::compute_angles(std::span<const std::int32_t> positions, RotaryAngles& angles) const {
  const std::size_t half = inv_freq_.size();
  angles.tokens = positions.size();
  angles.half_dim = half;
  angles.cos.resize(positions.size() * half);
  angles.sin.resize(positions.size() * half);
  for (std::size_t t = 0; t < positions.size(); ++t) {
    if (positions[t] < 0) fail("rotary embedding: position ", positions[t], " of token ", t, " is negative");
    const auto position = static_cast<float>(positions[t]);
    for (std::size_t i = 0; i < half; ++i) {
      // The reference takes torch.outer(positions.float(), inv_freq): one float product per angle.
      const float angle = position * inv_freq_[i];
      angles.cos[t * half + i] = static_cast<float>(std::cos(static_cast<double>(angle)));
      angles.sin[t * half + i] = static_cast<float>(std::sin(static_cast<double>(angle)));
    }
  }
}

void apply_rotary(ThreadPool& pool, const RotaryAngles& angles, std::span<float> x, std::size_t num_heads,
                  std::size_t head_dim) {
  constexpr std::string_view kName = "apply_rotary";
  const std::size_t half = angles.half_dim;
  if (2 * half > head_dim) fail(kName, ": rotary_dim ", 2 * half, " exceeds head_dim ", head_dim);
  if (angles.cos.size() != angles.tokens * half || angles.sin.size() != angles.tokens * half) {
    fail(kName, ": angle tables do not hold ", angles.tokens, " x ", half, " values");
  }
  detail::check_size(kName, "x", x.size(), angles.tokens * num_heads * head_dim);
  const std::size_t rows = angles.tokens * num_heads;
  detail::for_rows(pool, rows, 6 * half, [&](std::size_t begin, std::size_t end) {
    for (std::size_t row = begin; row < end; ++row) {
      const std::size_t token = row / num_heads;
      const float* cos = angles.cos.data() + token * half;
      const float* sin = angles.sin.data() + token * half;
      float* first = x.data() + row * head_dim;
      float* second = first + half;
      for (std::size_t i = 0; i < half; ++i) {
        const float a = first[i];
        const float b = second[i];
        first[i] = a * cos[i] - b * sin[i];
        second[i] = b * cos[i] + a * sin[i];
      }
    }
  });
}

}  // namespace qwenrt::cpu
