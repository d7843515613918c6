// Helpers the public CPU kernels share: argument checks that throw one-line Errors, spreading row-wise
// work over the pool only when it pays, and per-thread scratch memory. Internal to kernels/cpu.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/cpu/weight_matrix.h"

namespace qwenrt::cpu::detail {

// Throws Error "<kernel>: <what> has N values, expected M" unless actual == expected.
void check_size(std::string_view kernel, std::string_view what, std::size_t actual, std::size_t expected);

// Throws Error when a and b share any element: an output that must not alias an input.
void check_disjoint(std::string_view kernel, std::string_view a_name, std::span<const float> a,
                    std::string_view b_name, std::span<const float> b);

// Throws Error unless a and b are the same range or do not overlap: kernels that allow in-place
// operation read each element before writing it, but a shifted overlap would read overwritten values.
void check_same_or_disjoint(std::string_view kernel, std::string_view a_name, std::span<const float> a,
                            std::string_view b_name, std::span<const float> b);

// Throws Error "<kernel>: ..." when quantized weights lack what the kernels read them with: scales,
// and for int4 zero points, an even column count and an even group size (codes are unpacked in pairs).
void check_quantized(std::string_view kernel, const WeightMatrix& w);

// Below this many float operations a job is done on the calling thread: waking workers costs a few
// microseconds, as much as this much work.
constexpr std::size_t kParallelMinWork = 1 << 15;

// fn(begin, end) over [0, rows), on the pool when rows * row_cost is worth it.
template <typename Fn>
void for_rows(ThreadPool& pool, std::size_t rows, std::size_t row_cost, Fn&& fn) {
  if (rows < 2 || rows * row_cost < kParallelMinWork) {
    if (rows > 0) fn(std::size_t{0}, rows);
    return;
  }
  pool.parallel_for(rows, fn);
}

// fn(begin, end) over [0, count) elements costing element_cost each, split at multiples of 64 so that
// every range but the last starts and ends on whole vectors.
template <typename Fn>
void for_elements(ThreadPool& pool, std::size_t count, std::size_t element_cost, Fn&& fn) {
  constexpr std::size_t kStep = 64;
  const std::size_t steps = (count + kStep - 1) / kStep;
  for_rows(pool, steps, kStep * element_cost, [&](std::size_t begin, std::size_t end) {
    fn(begin * kStep, end * kStep < count ? end * kStep : count);
  });
}

// count floats from storage (a thread_local vector of the caller), 64-byte aligned, contents undefined.
float* scratch_floats(std::vector<float>& storage, std::size_t count);

}  // namespace qwenrt::cpu::detail
