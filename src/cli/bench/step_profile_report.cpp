#include "cli/bench/step_profile_report.h"

#include <cstdio>
#include <ostream>
#include <string>

namespace qwenrt::bench {
namespace {

std::string sequences_label(std::size_t bucket) {
  const std::size_t first = std::size_t{1} << bucket;
  if (bucket + 1 == runtime::StepProfile::kBuckets) return std::to_string(first) + "+";
  const std::size_t last = 2 * first - 1;
  return first == last ? std::to_string(first) : std::to_string(first) + "-" + std::to_string(last);
}

void append(nlohmann::ordered_json& out, const char* kind,
            const std::array<runtime::StepSizeBucket, runtime::StepProfile::kBuckets>& buckets) {
  for (std::size_t b = 0; b < buckets.size(); ++b) {
    const runtime::StepSizeBucket& s = buckets[b];
    if (s.steps == 0) continue;
    out.push_back({{"steps_with", kind},
                   {"sequences", sequences_label(b)},
                   {"steps", s.steps},
                   {"tokens", s.tokens},
                   {"seconds", s.seconds},
                   {"ms_per_step", 1e3 * s.seconds / static_cast<double>(s.steps)},
                   {"tokens_per_s", s.seconds > 0 ? static_cast<double>(s.tokens) / s.seconds : 0.0}});
  }
}

}  // namespace

nlohmann::ordered_json step_profile_json(const runtime::StepProfile& profile) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  append(out, "prompts", profile.with_prompts());
  append(out, "decode only", profile.decode_only());
  return out;
}

void print_step_profile(std::ostream& out, const nlohmann::ordered_json& profile) {
  out << "------------------ Steps by size -----------------\n";
  char line[128];
  std::snprintf(line, sizeof line, "%-12s %-11s %7s %9s %8s %9s\n", "steps with", "sequences", "steps", "tokens",
                "seconds", "ms/step");
  out << line;
  for (const auto& s : profile) {
    std::snprintf(line, sizeof line, "%-12s %-11s %7llu %9llu %8.2f %9.2f\n", s["steps_with"].get<std::string>().c_str(),
                  s["sequences"].get<std::string>().c_str(), s["steps"].get<unsigned long long>(),
                  s["tokens"].get<unsigned long long>(), s["seconds"].get<double>(), s["ms_per_step"].get<double>());
    out << line;
  }
}

}  // namespace qwenrt::bench
