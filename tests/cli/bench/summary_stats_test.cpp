// Percentiles as numpy.percentile gives them (the reference values below are numpy's), and the
// report's definitions of TTFT, TPOT, ITL and E2E over a run's requests.
#include "cli/bench/summary_stats.h"

#include <gtest/gtest.h>

#include <sstream>

#include "cli/bench/request_report.h"

namespace qwenrt::bench {
namespace {

TEST(SummaryStats, PercentilesInterpolateBetweenRanksAsNumpyDoes) {
  const std::vector<double> sorted = {1, 2, 3, 4, 10};
  // numpy.percentile([1, 2, 3, 4, 10], [0, 50, 90, 99, 100]) -> [1, 3, 7.6, 9.76, 10]
  EXPECT_DOUBLE_EQ(percentile(sorted, 0), 1);
  EXPECT_DOUBLE_EQ(percentile(sorted, 50), 3);
  EXPECT_DOUBLE_EQ(percentile(sorted, 90), 7.6);
  EXPECT_NEAR(percentile(sorted, 99), 9.76, 1e-12);
  EXPECT_DOUBLE_EQ(percentile(sorted, 100), 10);
  EXPECT_DOUBLE_EQ(percentile({5}, 99), 5);
  EXPECT_DOUBLE_EQ(percentile({}, 50), 0);
}

TEST(SummaryStats, SummarisesUnsortedValues) {
  const SummaryStats s = SummaryStats::of({10, 4, 1, 3, 2});
  EXPECT_EQ(s.count, 5u);
  EXPECT_DOUBLE_EQ(s.mean, 4);
  EXPECT_DOUBLE_EQ(s.p50, 3);
  EXPECT_DOUBLE_EQ(s.p90, 7.6);
  const nlohmann::ordered_json ms = s.to_json(1e3);
  EXPECT_DOUBLE_EQ(ms["p90"].get<double>(), 7600);
  EXPECT_EQ(SummaryStats::of({}).count, 0u);
  EXPECT_DOUBLE_EQ(SummaryStats::of({}).p99, 0);
}

TEST(RequestReport, RatesAndLatenciesFollowVllmsDefinitions) {
  std::vector<RequestRecord> records(4);
  records[0] = {true, "", 100, 5, 0.5, 1.3, {0.2, 0.2, 0.2, 0.2}};  // TPOT (1.3 - 0.5) / 4 = 0.2
  records[1] = {true, "", 50, 1, 0.25, 0.25, {}};                    // one token: no TPOT
  records[2] = {false, "HTTP 400: bad", 70, 0, 0, 0, {}};
  records[3] = {false, "HTTP 400: bad", 70, 0, 0, 0, {}};
  const nlohmann::ordered_json r = summarize_requests(records, 2.0);
  EXPECT_EQ(r["completed"], 2);
  EXPECT_EQ(r["failed"], 2);
  EXPECT_EQ(r["failures"]["HTTP 400: bad"], 2);
  EXPECT_EQ(r["total_input_tokens"], 150) << "failed requests count no tokens";
  EXPECT_EQ(r["total_output_tokens"], 6);
  EXPECT_DOUBLE_EQ(r["requests_per_s"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(r["output_tokens_per_s"].get<double>(), 3.0);
  EXPECT_DOUBLE_EQ(r["total_tokens_per_s"].get<double>(), 78.0);
  EXPECT_DOUBLE_EQ(r["ttft_ms"]["mean"].get<double>(), 375);
  EXPECT_NEAR(r["tpot_ms"]["mean"].get<double>(), 200, 1e-9);
  EXPECT_NEAR(r["itl_ms"]["p99"].get<double>(), 200, 1e-9);
  EXPECT_DOUBLE_EQ(r["e2e_ms"]["p50"].get<double>(), 775);

  nlohmann::ordered_json with_extra = r;
  with_extra["backend"] = "qwenrt";
  std::ostringstream table;
  print_report(table, "Serving Benchmark Result", with_extra, false);
  EXPECT_NE(table.str().find("Successful requests:"), std::string::npos) << table.str();
  EXPECT_NE(table.str().find("failed: HTTP 400: bad"), std::string::npos) << table.str();
  EXPECT_NE(table.str().find("Median TTFT (ms):"), std::string::npos) << table.str();
  EXPECT_NE(table.str().find("backend:"), std::string::npos) << table.str();
  std::ostringstream json;
  print_report(json, "Serving Benchmark Result", with_extra, true);
  EXPECT_EQ(nlohmann::ordered_json::parse(json.str()), with_extra);
}

}  // namespace
}  // namespace qwenrt::bench
