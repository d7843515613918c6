#include "runtime/logit_filters.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>

namespace qwenrt::runtime {

namespace {

// A weight in fixed point (2^-40 steps, far below any probability top-p can hinge on; a sum of up to
// 2^23 weights of at most 1 fits in 64 bits). Integer sums do not depend on the order of their terms,
// and the selection below adds weights in whatever order the standard library's partition leaves
// them; in floating point the nucleus could then differ in its last bit between platforms.
std::uint64_t fixed_point(double weight) { return static_cast<std::uint64_t>(weight * 0x1p40); }

std::uint64_t fixed_point_sum(std::vector<double>::const_iterator first, std::vector<double>::const_iterator last) {
  std::uint64_t sum = 0;
  for (; first != last; ++first) sum += fixed_point(*first);
  return sum;
}

double median_of_three(double a, double b, double c) { return std::max(std::min(a, b), std::min(std::max(a, b), c)); }

// The weight of the least likely tokens the nucleus keeps: a quickselect that splits the weights
// around a pivot into higher, equal and lower, and follows the side where the cumulative mass
// reaches top_p. Expected time linear in weights.size(); the weights are reordered.
double nucleus_threshold(std::vector<double>& weights, double top_p) {
  const double target = top_p * static_cast<double>(fixed_point_sum(weights.begin(), weights.end()));
  const auto reached = [target](std::uint64_t mass) { return static_cast<double>(mass) >= target; };
  auto lo = weights.begin();
  auto hi = weights.end();
  std::uint64_t mass_above = 0;  // of the weights above [lo, hi); it never reaches the target
  for (;;) {
    const double pivot = median_of_three(*lo, *(lo + (hi - lo) / 2), *(hi - 1));
    const auto higher_end = std::partition(lo, hi, [pivot](double w) { return w > pivot; });
    const auto equal_end = std::partition(higher_end, hi, [pivot](double w) { return w == pivot; });
    const std::uint64_t higher = fixed_point_sum(lo, higher_end);
    if (reached(mass_above + higher)) {
      // The pivot's tokens come after the target is met; the last kept weight is among the higher.
      hi = higher_end;
      continue;
    }
    mass_above += higher + fixed_point_sum(higher_end, equal_end);
    if (reached(mass_above) || equal_end == hi) return pivot;
    lo = equal_end;
  }
}

}  // namespace

float top_k_threshold(std::span<const float> logits, std::size_t k) {
  std::vector<float> values(logits.begin(), logits.end());
  const auto kth = values.begin() + static_cast<std::ptrdiff_t>(k - 1);
  std::nth_element(values.begin(), kth, values.end(), std::greater<>());
  return *kth;
}

void weigh(std::vector<Candidate>& candidates) {
  double max = -std::numeric_limits<double>::infinity();
  for (const Candidate& c : candidates) max = std::max(max, c.logit);
  for (Candidate& c : candidates) c.weight = std::exp(c.logit - max);
}

void keep_top_p(std::vector<Candidate>& candidates, double top_p) {
  if (top_p >= 1.0 || candidates.empty()) return;
  std::vector<double> weights(candidates.size());
  std::transform(candidates.begin(), candidates.end(), weights.begin(), [](const Candidate& c) { return c.weight; });
  const double threshold = nucleus_threshold(weights, top_p);
  std::erase_if(candidates, [threshold](const Candidate& c) { return c.weight < threshold; });
}

void keep_min_p(std::vector<Candidate>& candidates, double min_p) {
  if (min_p <= 0) return;
  std::erase_if(candidates, [min_p](const Candidate& c) { return c.weight < min_p; });
}

}  // namespace qwenrt::runtime
