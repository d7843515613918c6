#include "cli/bench/sse_parser.h"

namespace qwenrt::bench {

std::vector<std::string> SseParser::feed(std::string_view bytes) {
  std::vector<std::string> events;
  for (const char c : bytes) {
    const bool cr_lf = after_cr_ && c == '\n';
    after_cr_ = c == '\r';
    if (cr_lf) continue;
    if (c == '\n' || c == '\r') {
      take_line(partial_line_, events);
      partial_line_.clear();
    } else {
      partial_line_ += c;
    }
  }
  return events;
}

void SseParser::take_line(std::string_view line, std::vector<std::string>& events) {
  if (line.empty()) {
    if (has_data_) events.push_back(std::move(data_));
    data_.clear();
    has_data_ = false;
    return;
  }
  const std::size_t colon = line.find(':');
  if (colon == 0 || line.substr(0, colon) != "data") return;
  std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
  if (value.starts_with(' ')) value.remove_prefix(1);
  if (has_data_) data_ += '\n';
  data_ += value;
  has_data_ = true;
}

}  // namespace qwenrt::bench
