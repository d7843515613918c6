#include "server/reasoning_splitter.h"

namespace qwenrt::server {
namespace {

constexpr std::string_view kOpen = "<think>";
constexpr std::string_view kClose = "</think>";

}  // namespace

ReasoningPieces ReasoningSplitter::feed(std::string_view text) {
  ReasoningPieces out;
  held_ += text;
  if (part_ == Part::kOpening) {
    std::string_view start = held_;
    while (!start.empty() && is_space(start.front())) start.remove_prefix(1);
    if (start.substr(0, kOpen.size()) == kOpen) {
      part_ = Part::kThinking;
      held_ = std::string(start.substr(kOpen.size()));
    } else if (kOpen.substr(0, start.size()) == start) {
      return out;  // may still become <think>
    } else {
      // An answer without thinking is kept as written, its leading whitespace too.
      part_ = Part::kReply;
      reply_trim_ = LeadingSpaceTrimmer(false);
      out.content = std::move(held_);
      held_.clear();
      return out;
    }
  }
  if (part_ == Part::kThinking) {
    const std::size_t close = held_.find(kClose);
    if (close == std::string::npos) {
      const std::size_t keep = partial_tag_length(held_, kClose);
      reasoning_trim_.append(std::string_view(held_).substr(0, held_.size() - keep), out.reasoning);
      held_.erase(0, held_.size() - keep);
      return out;
    }
    reasoning_trim_.append(std::string_view(held_).substr(0, close), out.reasoning);
    held_.erase(0, close + kClose.size());
    part_ = Part::kReply;
    reply_trim_.restart();
  }
  reply_trim_.append(held_, out.content);
  held_.clear();
  return out;
}

ReasoningPieces ReasoningSplitter::finish() {
  ReasoningPieces out;
  if (part_ == Part::kThinking) {
    reasoning_trim_.append(held_, out.reasoning);
  } else {
    out.content = held_;
  }
  held_.clear();
  return out;
}

}  // namespace qwenrt::server
