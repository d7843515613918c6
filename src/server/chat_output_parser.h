// The answer of a chat choice as OpenAI's message fields, streamed: the Qwen3 thinking as
// reasoning_content, then the reply as content and tool_calls. Each piece of generated text goes
// through the reasoning splitter (when thinking is on) and the reply through the tool-call parser
// (when the request has tools).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/reasoning_splitter.h"
#include "server/tool_call_parser.h"

namespace qwenrt::server {

struct ChatDelta {
  std::string reasoning;
  std::string content;
  std::vector<ParsedToolCall> tool_calls;

  bool empty() const { return reasoning.empty() && content.empty() && tool_calls.empty(); }
};

class ChatOutputParser {
 public:
  ChatOutputParser(bool split_reasoning, bool parse_tool_calls);

  ChatDelta feed(std::string_view text);
  ChatDelta finish();

 private:
  // Takes what the reasoning splitter made certain through the tool-call parser.
  ChatDelta route(ReasoningPieces pieces);

  std::optional<ReasoningSplitter> reasoning_;
  std::optional<ToolCallParser> tools_;
};

}  // namespace qwenrt::server
