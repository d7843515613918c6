#include "runtime/stop_strings.h"

#include <algorithm>
#include <utility>

#include "core/error.h"
#include "core/utf8.h"

namespace qwenrt::runtime {

void validate_stop_strings(const std::vector<std::string>& stop_strings) {
  for (std::size_t i = 0; i < stop_strings.size(); ++i) {
    if (stop_strings[i].empty()) fail("stop[", i, "]: must not be an empty string");
    if (!utf8::is_valid(stop_strings[i])) fail("stop[", i, "]: is not valid UTF-8");
  }
}

StopStringMatcher::StopStringMatcher(std::vector<std::string> stop_strings)
    : stop_strings_(std::move(stop_strings)) {
  validate_stop_strings(stop_strings_);
  for (const std::string& s : stop_strings_) longest_ = std::max(longest_, s.size());
}

StopCheck StopStringMatcher::feed(std::string_view chunk) {
  if (stopped_) return {};
  pending_.append(chunk);

  // pending_ held no whole stop string before this chunk, so every match ends inside the chunk. The
  // one that ends first is where a byte-at-a-time stream would have stopped; of those ending there,
  // the one starting first hides all of the stop text.
  std::optional<std::size_t> hit;
  std::size_t hit_start = 0;
  std::size_t hit_end = 0;
  for (std::size_t i = 0; i < stop_strings_.size(); ++i) {
    const std::size_t start = pending_.find(stop_strings_[i]);
    if (start == std::string::npos) continue;
    const std::size_t end = start + stop_strings_[i].size();
    if (!hit || end < hit_end || (end == hit_end && start < hit_start)) {
      hit = i;
      hit_start = start;
      hit_end = end;
    }
  }
  if (hit) {
    stopped_ = true;
    StopCheck result{pending_.substr(0, hit_start), hit};
    pending_.clear();
    return result;
  }

  // Hold back the longest tail that is the beginning of a stop string; only tails shorter than the
  // longest stop string can be, so the scan starts there.
  std::size_t keep_from = pending_.size();
  const std::size_t first_start = pending_.size() > longest_ ? pending_.size() - longest_ + 1 : 0;
  for (std::size_t start = first_start; start < pending_.size() && keep_from == pending_.size(); ++start) {
    const std::string_view tail = std::string_view(pending_).substr(start);
    for (const std::string& s : stop_strings_) {
      if (s.size() > tail.size() && std::string_view(s).starts_with(tail)) {
        keep_from = start;
        break;
      }
    }
  }
  StopCheck result{pending_.substr(0, keep_from), std::nullopt};
  pending_.erase(0, keep_from);
  return result;
}

std::string StopStringMatcher::finish() {
  if (stopped_) return {};
  return std::exchange(pending_, {});
}

}  // namespace qwenrt::runtime
