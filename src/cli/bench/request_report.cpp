#include "cli/bench/request_report.h"

#include <cctype>
#include <cstdio>
#include <map>
#include <ostream>

#include "cli/bench/step_profile_report.h"
#include "cli/bench/summary_stats.h"

namespace qwenrt::bench {
namespace {

constexpr const char* kLatencies[][2] = {
    {"ttft_ms", "Time to First Token"},
    {"tpot_ms", "Time per Output Token (excl. 1st token)"},
    {"itl_ms", "Inter-token Latency"},
    {"e2e_ms", "End-to-end Latency"},
};

constexpr const char* kTotals[][2] = {
    {"completed", "Successful requests"},
    {"failed", "Failed requests"},
    {"elapsed_s", "Elapsed time (s)"},
    {"total_input_tokens", "Total input tokens"},
    {"total_output_tokens", "Total generated tokens"},
    {"requests_per_s", "Request throughput (req/s)"},
    {"output_tokens_per_s", "Output token throughput (tok/s)"},
    {"total_tokens_per_s", "Total token throughput (tok/s)"},
};

void line(std::ostream& out, const std::string& label, const nlohmann::ordered_json& value) {
  std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  if (value.is_number_float()) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.2f", value.get<double>());
    text = buffer;
  }
  out << label << ':' << std::string(label.size() < 40 ? 40 - label.size() : 1, ' ') << text << '\n';
}

std::string banner(const std::string& title, char fill) {
  const std::size_t width = 50;
  const std::size_t pad = title.size() + 2 < width ? width - title.size() - 2 : 0;
  return std::string(pad / 2, fill) + ' ' + title + ' ' + std::string(pad - pad / 2, fill);
}

}  // namespace

nlohmann::ordered_json summarize_requests(const std::vector<RequestRecord>& records, double elapsed_seconds) {
  std::size_t completed = 0, input = 0, output = 0;
  std::vector<double> ttft, tpot, itl, e2e;
  std::map<std::string, std::size_t> failures;
  for (const RequestRecord& r : records) {
    if (!r.success) {
      ++failures[r.error];
      continue;
    }
    ++completed;
    input += r.prompt_tokens;
    output += r.output_tokens;
    ttft.push_back(r.ttft);
    e2e.push_back(r.e2e);
    if (r.output_tokens > 1) tpot.push_back((r.e2e - r.ttft) / static_cast<double>(r.output_tokens - 1));
    itl.insert(itl.end(), r.itl.begin(), r.itl.end());
  }
  const auto rate = [&](std::size_t n) { return elapsed_seconds > 0 ? static_cast<double>(n) / elapsed_seconds : 0.0; };
  return {
      {"completed", completed},
      {"failed", records.size() - completed},
      {"failures", failures},
      {"elapsed_s", elapsed_seconds},
      {"total_input_tokens", input},
      {"total_output_tokens", output},
      {"requests_per_s", rate(completed)},
      {"output_tokens_per_s", rate(output)},
      {"total_tokens_per_s", rate(input + output)},
      {"ttft_ms", SummaryStats::of(ttft).to_json(1e3)},
      {"tpot_ms", SummaryStats::of(tpot).to_json(1e3)},
      {"itl_ms", SummaryStats::of(itl).to_json(1e3)},
      {"e2e_ms", SummaryStats::of(e2e).to_json(1e3)},
  };
}

void print_report(std::ostream& out, const std::string& title, const nlohmann::ordered_json& report, bool json) {
  if (json) {
    out << report.dump(2) << '\n';
    return;
  }
  out << banner(title, '=') << '\n';
  nlohmann::ordered_json extra = report;
  for (const auto& [key, label] : kTotals) extra.erase(key);
  for (const auto& [key, label] : kLatencies) extra.erase(key);
  extra.erase("failures");
  extra.erase("step_profile");
  for (const auto& [key, value] : extra.items()) line(out, key, value);
  for (const auto& [key, label] : kTotals) {
    if (report.contains(key)) line(out, label, report[key]);
  }
  const nlohmann::ordered_json failures = report.value("failures", nlohmann::ordered_json::object());
  for (const auto& [reason, count] : failures.items()) line(out, "  failed: " + reason, count);
  for (const auto& [key, label] : kLatencies) {
    if (!report.contains(key)) continue;
    out << banner(label, '-') << '\n';
    const nlohmann::ordered_json& s = report[key];
    const std::string name = std::string(key).substr(0, std::string(key).find('_'));
    std::string upper;
    for (char c : name) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    line(out, "Mean " + upper + " (ms)", s["mean"]);
    line(out, "Median " + upper + " (ms)", s["p50"]);
    line(out, "P90 " + upper + " (ms)", s["p90"]);
    line(out, "P99 " + upper + " (ms)", s["p99"]);
  }
  if (report.contains("step_profile")) print_step_profile(out, report["step_profile"]);
  out << std::string(50, '=') << '\n';
}

}  // namespace qwenrt::bench
