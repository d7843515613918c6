#include "kernels/cpu/logits.h"

#include <cmath>

#include "core/error.h"
#include "kernels/cpu/simd_kernels.h"

namespace qwenrt::cpu {

void softmax(std::span<float> x) {
  if (x.empty()) fail("softmax: the row is empty");
  const detail::SimdKernels& kernels = detail::active_simd_kernels();
  const float max = kernels.max(x.data(), x.size());
  // exp(x - max) of an all -inf row would be exp(NaN): the NaN result torch gives too.
  const float sum = kernels.exp_shifted_sum(x.data(), max, x.size());
  kernels.scale(x.data(), 1.0f / sum, x.size());
}

std::size_t argmax(std::span<const float> x) {
  if (x.empty()) fail("argmax: the row is empty");
  std::size_t best = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(x[i])) return i;
    if (x[i] > x[best]) best = i;
  }
  return best;
}

}  // namespace qwenrt::cpu
