#include "server/tool_call_parser.h"

#include <nlohmann/json.hpp>

#include <optional>

#include "core/error.h"

namespace qwenrt::server {
namespace {

constexpr std::string_view kOpen = "<tool_call>";
constexpr std::string_view kClose = "</tool_call>";

std::optional<ParsedToolCall> parse_call(std::string_view body) {
  const auto json = nlohmann::ordered_json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return std::nullopt;
  const auto name = json.find("name");
  if (name == json.end() || !name->is_string()) return std::nullopt;
  ParsedToolCall call{name->get<std::string>(), "{}"};
  // Arguments the model wrote as a JSON-encoded string are passed on as that string.
  if (const auto args = json.find("arguments"); args != json.end() && !args->is_null()) {
    call.arguments = args->is_string() ? args->get<std::string>()
                                       : args->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return call;
}

}  // namespace

ToolCallPieces ToolCallParser::feed(std::string_view text) {
  ToolCallPieces out;
  held_ += text;
  while (true) {
    if (in_block_) {
      const std::size_t close = held_.find(kClose);
      if (close == std::string::npos) return out;
      const std::string rest = held_.substr(close + kClose.size());
      end_block(std::string_view(held_).substr(0, close), true, out);
      held_ = rest;
      continue;
    }
    const std::size_t open = held_.find(kOpen);
    if (open != std::string::npos) {
      trim_.append(trim_trailing_space(std::string_view(held_).substr(0, open)), out.content);
      held_.erase(0, open + kOpen.size());
      in_block_ = true;
      continue;
    }
    // Hold back a possible start of a block and the whitespace before it.
    const std::string_view safe =
        trim_trailing_space(std::string_view(held_).substr(0, held_.size() - partial_tag_length(held_, kOpen)));
    trim_.append(safe, out.content);
    held_.erase(0, safe.size());
    return out;
  }
}

ToolCallPieces ToolCallParser::finish() {
  ToolCallPieces out;
  if (in_block_) {
    end_block(held_, false, out);
  } else {
    trim_.append(held_, out.content);
  }
  held_.clear();
  return out;
}

void ToolCallParser::end_block(std::string_view body, bool closed, ToolCallPieces& out) {
  in_block_ = false;
  if (std::optional<ParsedToolCall> call = parse_call(body)) {
    out.calls.push_back(std::move(*call));
    trim_.restart();
    return;
  }
  std::string raw = str_cat(kOpen, body, closed ? kClose : std::string_view());
  trim_.append(raw, out.content);
}

}  // namespace qwenrt::server
