// Mean and percentiles of a set of values (latencies, token counts), the percentiles computed as
// numpy.percentile computes them by default (linear interpolation between the closest ranks), which is
// what vLLM's benchmarks report, so the figures of both can stand side by side.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <vector>

namespace qwenrt::bench {

// p in [0, 100] of values sorted ascending; 0 for none.
double percentile(const std::vector<double>& sorted, double p);

struct SummaryStats {
  std::size_t count = 0;
  double mean = 0, p50 = 0, p90 = 0, p99 = 0;  // all 0 for no values, as vLLM reports them

  static SummaryStats of(std::vector<double> values);
  // {"mean", "p50", "p90", "p99"}, each multiplied by scale (1e3 turns seconds into milliseconds).
  nlohmann::ordered_json to_json(double scale = 1) const;
};

}  // namespace qwenrt::bench
