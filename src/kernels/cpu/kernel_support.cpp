#include "kernels/cpu/kernel_support.h"

#include <cstdint>
#include <functional>

#include "core/error.h"

namespace qwenrt::cpu::detail {

void check_size(std::string_view kernel, std::string_view what, std::size_t actual, std::size_t expected) {
  if (actual != expected) fail(kernel, ": ", what, " has ", actual, " values, expected ", expected);
}

namespace {

bool overlap(std::span<const float> a, std::span<const float> b) {
  if (a.empty() || b.empty()) return false;
  // std::less gives a total order even for pointers into different arrays.
  const std::less<const float*> before;
  return before(a.data(), b.data() + b.size()) && before(b.data(), a.data() + a.size());
}

}  // namespace

void check_disjoint(std::string_view kernel, std::string_view a_name, std::span<const float> a,
                    std::string_view b_name, std::span<const float> b) {
  if (overlap(a, b)) fail(kernel, ": ", a_name, " and ", b_name, " must not overlap");
}

void check_same_or_disjoint(std::string_view kernel, std::string_view a_name, std::span<const float> a,
                            std::string_view b_name, std::span<const float> b) {
  if (a.data() == b.data() && a.size() == b.size()) return;
  if (overlap(a, b)) fail(kernel, ": ", a_name, " and ", b_name, " overlap without being the same buffer");
}

void check_quantized(std::string_view kernel, const WeightMatrix& w) {
  const auto name = weight_quantization_name(w.quantization);
  if (w.scales == nullptr) fail(kernel, ": ", name, " weight matrix ", w.rows, " x ", w.cols, " has no scales");
  if (w.quantization != WeightQuantization::kInt4) return;
  if (w.zeros == nullptr) fail(kernel, ": int4 weight matrix ", w.rows, " x ", w.cols, " has no zero points");
  if (w.cols % 2 != 0 || w.group_size == 0 || w.group_size % 2 != 0) {
    fail(kernel, ": int4 weight matrix ", w.rows, " x ", w.cols, " in groups of ", w.group_size,
         ": the columns and the group size must be even");
  }
}

float* scratch_floats(std::vector<float>& storage, std::size_t count) {
  constexpr std::size_t kAlignFloats = 16;  // 64 bytes
  if (storage.size() < count + kAlignFloats) storage.resize(count + kAlignFloats);
  const auto address = reinterpret_cast<std::uintptr_t>(storage.data());
  const std::size_t misalignment = (address / sizeof(float)) % kAlignFloats;
  return storage.data() + (misalignment == 0 ? 0 : kAlignFloats - misalignment);
}

}  // namespace qwenrt::cpu::detail
