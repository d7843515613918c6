// Finds the request's stop strings in streamed text. A stop string can span many tokens, so the
// matcher holds back any tail of the text that could still grow into one and releases it once it
// cannot; on a hit the text ends just before the stop string, which is not shown (as OpenAI and vLLM
// do). The result never depends on how the text was cut into chunks: generation stops at the first
// place where a stop string is complete, as it would feeding one byte at a time.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qwenrt::runtime {

struct StopCheck {
  std::string text;                 // safe to show now
  std::optional<std::size_t> stop;  // on a hit: the index of the stop string found; text ends before it
};

// Throws Error naming the first stop string that is empty or not valid UTF-8 ("stop[1]: ...").
void validate_stop_strings(const std::vector<std::string>& stop_strings);

class StopStringMatcher {
 public:
  // Throws Error as validate_stop_strings.
  explicit StopStringMatcher(std::vector<std::string> stop_strings);

  // Takes the next piece of generated text (whole UTF-8 characters, as StreamingDetokenizer gives).
  // Since a held-back tail starts where a stop string would, and stop strings begin with a whole
  // character, the text returned never splits a character. After a hit, further text is ignored.
  StopCheck feed(std::string_view chunk);

  // Generation ended without a hit (end of text, a stop token, the length limit): the held-back tail.
  std::string finish();

  bool stopped() const { return stopped_; }

 private:
  std::vector<std::string> stop_strings_;
  std::size_t longest_ = 0;  // bytes in the longest stop string
  std::string pending_;      // held back: a suffix of the text that is a proper prefix of a stop string
  bool stopped_ = false;
};

}  // namespace qwenrt::runtime
