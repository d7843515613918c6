// Finds the tool calls in a Qwen2.5 / Qwen3 answer as the text streams in. Those models call a tool by
// writing (Hermes style)
//   <tool_call>
//   {"name": "get_weather", "arguments": {"city": "Paris"}}
//   </tool_call>
// one block per call. Text outside the blocks is content; text that may still be the start of a
// block is held back. A block whose body is not a JSON object with a string "name" stays content, as
// written, as vLLM's Hermes parser keeps it. Whitespace around the blocks is formatting and dropped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/text_tags.h"

namespace qwenrt::server {

struct ParsedToolCall {
  std::string name;
  std::string arguments;  // a JSON text, as OpenAI sends it
};

struct ToolCallPieces {
  std::string content;
  std::vector<ParsedToolCall> calls;
};

class ToolCallParser {
 public:
  ToolCallPieces feed(std::string_view text);
  // The answer has ended: what was held back; a block left open counts if its body is a whole call.
  ToolCallPieces finish();

 private:
  void end_block(std::string_view body, bool closed, ToolCallPieces& out);

  bool in_block_ = false;
  std::string held_;
  LeadingSpaceTrimmer trim_{false};
};

}  // namespace qwenrt::server
