#include "cli/bench/summary_stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace qwenrt::bench {

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const double rank = p / 100.0 * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(rank));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (rank - static_cast<double>(below));
}

SummaryStats SummaryStats::of(std::vector<double> values) {
  SummaryStats s;
  s.count = values.size();
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  s.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  s.p50 = percentile(values, 50);
  s.p90 = percentile(values, 90);
  s.p99 = percentile(values, 99);
  return s;
}

nlohmann::ordered_json SummaryStats::to_json(double scale) const {
  return {{"mean", mean * scale}, {"p50", p50 * scale}, {"p90", p90 * scale}, {"p99", p99 * scale}};
}

}  // namespace qwenrt::bench
