// Server-sent events as they arrive in pieces of a streamed HTTP body (the WHATWG HTML standard's
// event-stream format, as OpenAI-compatible servers stream completions): lines "data: ..." joined by
// newlines make an event's data, and a blank line ends the event. Comments (":") and other fields are
// skipped; lines may end in "\n", "\r\n" or "\r".
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace qwenrt::bench {

class SseParser {
 public:
  // Takes the next bytes of the stream and returns the data of every event they complete.
  std::vector<std::string> feed(std::string_view bytes);

 private:
  void take_line(std::string_view line, std::vector<std::string>& events);

  std::string partial_line_;
  std::string data_;
  bool has_data_ = false;
  bool after_cr_ = false;  // the last byte was "\r": a "\n" next belongs to the same line end
};

}  // namespace qwenrt::bench
