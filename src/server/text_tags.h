// What the streaming parsers of a model's output (reasoning_splitter.h, tool_call_parser.h) share:
// finding where a marker such as "</think>" may be starting at the end of the text seen so far, so
// that they hold that much back, and dropping the whitespace a chat format writes around its markers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace qwenrt::server {

// The length of the longest suffix of text that is a proper prefix of tag: the part that may still
// grow into the tag and must not be shown yet.
std::size_t partial_tag_length(std::string_view text, std::string_view tag);

bool is_space(char c);
std::string_view trim_trailing_space(std::string_view text);

// Drops the whitespace at the start of a part of the output (after a marker), however the part is cut
// into pieces: once a piece brings something other than whitespace, everything after it passes.
class LeadingSpaceTrimmer {
 public:
  explicit LeadingSpaceTrimmer(bool trimming = true) : trimming_(trimming) {}
  // Starts dropping again (a new part begins).
  void restart() { trimming_ = true; }
  // Appends piece to out, without the part's leading whitespace.
  void append(std::string_view piece, std::string& out);

 private:
  bool trimming_ = true;
};

}  // namespace qwenrt::server
