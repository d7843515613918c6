#include "server/chat_output_parser.h"

namespace qwenrt::server {
namespace {

void append(ChatDelta& delta, ToolCallPieces pieces) {
  delta.content += pieces.content;
  for (ParsedToolCall& call : pieces.calls) delta.tool_calls.push_back(std::move(call));
}

}  // namespace

ChatOutputParser::ChatOutputParser(bool split_reasoning, bool parse_tool_calls) {
  if (split_reasoning) reasoning_.emplace();
  if (parse_tool_calls) tools_.emplace();
}

ChatDelta ChatOutputParser::route(ReasoningPieces pieces) {
  ChatDelta delta;
  delta.reasoning = std::move(pieces.reasoning);
  if (tools_) {
    append(delta, tools_->feed(pieces.content));
  } else {
    delta.content = std::move(pieces.content);
  }
  return delta;
}

ChatDelta ChatOutputParser::feed(std::string_view text) {
  return route(reasoning_ ? reasoning_->feed(text) : ReasoningPieces{{}, std::string(text)});
}

ChatDelta ChatOutputParser::finish() {
  ChatDelta delta = route(reasoning_ ? reasoning_->finish() : ReasoningPieces{});
  if (tools_) append(delta, tools_->finish());
  return delta;
}

}  // namespace qwenrt::server
