#include "kernels/cpu/activation.h"

#include "kernels/cpu/kernel_support.h"
#include "kernels/cpu/simd_kernels.h"

namespace qwenrt::cpu {

namespace {

// Per-element costs, in units of a float add, that decide when spreading over threads pays: silu_mul
// evaluates an exp polynomial and a division.
constexpr std::size_t kSiluCost = 4;
constexpr std::size_t kAddCost = 1;

}  // namespace

void silu_mul(ThreadPool& pool, std::span<const float> gate, std::span<const float> up, std::span<float> out) {
  constexpr std::string_view kName = "silu_mul";
  detail::check_size(kName, "up", up.size(), gate.size());
  detail::check_size(kName, "out", out.size(), gate.size());
  const std::span<const float> out_view(out.data(), out.size());
  detail::check_same_or_disjoint(kName, "gate", gate, "out", out_view);
  detail::check_same_or_disjoint(kName, "up", up, "out", out_view);
  const detail::SimdKernels& kernels = detail::active_simd_kernels();
  detail::for_elements(pool, gate.size(), kSiluCost, [&](std::size_t begin, std::size_t end) {
    kernels.silu_mul(gate.data() + begin, up.data() + begin, out.data() + begin, end - begin);
  });
}

void add(ThreadPool& pool, std::span<const float> a, std::span<const float> b, std::span<float> out) {
  constexpr std::string_view kName = "add";
  detail::check_size(kName, "b", b.size(), a.size());
  detail::check_size(kName, "out", out.size(), a.size());
  const std::span<const float> out_view(out.data(), out.size());
  detail::check_same_or_disjoint(kName, "a", a, "out", out_view);
  detail::check_same_or_disjoint(kName, "b", b, "out", out_view);
  const detail::SimdKernels& kernels = detail::active_simd_kernels();
  detail::for_elements(pool, a.size(), kAddCost, [&](std::size_t begin, std::size_t end) {
    kernels.add(a.data() + begin, b.data() + begin, out.data() + begin, end - begin);
  });
}

}  // namespace qwenrt::cpu
