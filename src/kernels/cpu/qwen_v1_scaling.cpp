#include "kernels/cpu/qwen_v1_scaling.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace qwenrt::cpu {

double qwen_v1_ntk_alpha(std::size_t context_length, std::size_t seq_length) {
  if (seq_length == 0) fail("Qwen v1 dynamic NTK: seq_length is 0");
  if (context_length == 0) return 1.0;
  // Python's math.log(x, 2) is log(x) / log(2) in double, which the ceil below is sensitive to at exact
  // powers of two, so it is computed the same way here rather than with log2.
  const double ratio = static_cast<double>(context_length) / static_cast<double>(seq_length);
  const double context_value = std::log(ratio) / std::log(2.0) + 1.0;
  return std::max(std::exp2(std::ceil(context_value)) - 1.0, 1.0);
}

double qwen_v1_ntk_base(double base, std::size_t rotary_dim, double ntk_alpha) {
  if (rotary_dim <= 2) fail("Qwen v1 dynamic NTK: rotary_dim ", rotary_dim, " must exceed 2");
  const double dim = static_cast<double>(rotary_dim);
  return base * std::pow(ntk_alpha, dim / (dim - 2.0));
}

float qwen_v1_logn_scale(std::size_t position, std::size_t seq_length) {
  if (seq_length < 2) fail("Qwen v1 logn attention: seq_length ", seq_length, " must be at least 2");
  const std::size_t i = position + 1;
  if (i <= seq_length) return 1.0f;
  return static_cast<float>(std::log(static_cast<double>(i)) / std::log(static_cast<double>(seq_length)));
}

}  // namespace qwenrt::cpu
