#include "kernels/cpu/norm.h"

#include <cmath>

#include "core/error.h"
#include "kernels/cpu/kernel_support.h"
#include "kernels/cpu/simd_kernels.h"

namespace qwenrt::cpu {

namespace {

// The factor transformers computes as torch.rsqrt(x.pow(2).mean(-1) + eps), in float.
float inverse_rms(const detail::SimdKernels& kernels, const float* row, std::size_t dim, float eps) {
  const float mean = kernels.sum_squares(row, dim) / static_cast<float>(dim);
  return 1.0f / std::sqrt(mean + eps);
}

std::size_t checked_rows(std::string_view kernel, std::size_t x_size, std::size_t dim) {
  if (dim == 0) fail(kernel, ": weight is empty");
  if (x_size % dim != 0) fail(kernel, ": x has ", x_size, " values, not a whole number of rows of ", dim);
  return x_size / dim;
}

}  // namespace

void rms_norm(ThreadPool& pool, std::span<const float> x, std::span<const float> weight, float eps,
              std::span<float> out) {
  constexpr std::string_view kName = "rms_norm";
  const std::size_t dim = weight.size();
  const std::size_t rows = checked_rows(kName, x.size(), dim);
  detail::check_size(kName, "out", out.size(), x.size());
  detail::check_same_or_disjoint(kName, "x", x, "out", out);
  detail::check_disjoint(kName, "weight", weight, "out", out);
  const detail::SimdKernels& kernels = detail::active_simd_kernels();
  detail::for_rows(pool, rows, dim, [&](std::size_t begin, std::size_t end) {
    for (std::size_t r = begin; r < end; ++r) {
      const float* row = x.data() + r * dim;
      kernels.scale_mul(row, inverse_rms(kernels, row, dim, eps), weight.data(), out.data() + r * dim, dim);
    }
  });
}

void add_rms_norm(ThreadPool& pool, std::span<float> x, std::span<const float> residual,
                  std::span<const float> weight, float eps, std::span<float> out) {
  constexpr std::string_view kName = "add_rms_norm";
  const std::size_t dim = weight.size();
  const std::size_t rows = checked_rows(kName, x.size(), dim);
  detail::check_size(kName, "residual", residual.size(), x.size());
  detail::check_size(kName, "out", out.size(), x.size());
  const std::span<const float> x_view(x.data(), x.size());
  const std::span<const float> out_view(out.data(), out.size());
  detail::check_disjoint(kName, "x", x_view, "residual", residual);
  detail::check_same_or_disjoint(kName, "out", out_view, "x", x_view);
  detail::check_same_or_disjoint(kName, "out", out_view, "residual", residual);
  detail::check_disjoint(kName, "weight", weight, "out", out_view);
  detail::check_disjoint(kName, "weight", weight, "x", x_view);
  const detail::SimdKernels& kernels = detail::active_simd_kernels();
  detail::for_rows(pool, rows, dim, [&](std::size_t begin, std::size_t end) {
    for (std::size_t r = begin; r < end; ++r) {
      float* row = x.data() + r * dim;
      kernels.add(row, residual.data() + r * dim, row, dim);
      kernels.scale_mul(row, inverse_rms(kernels, row, dim, eps), weight.data(), out.data() + r * dim, dim);
    }
  });
}

}  // namespace qwenrt::cpu
