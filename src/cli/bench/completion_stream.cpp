#include "cli/bench/completion_stream.h"

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace qwenrt::bench {
namespace {

// The server's message from OpenAI's error shape, else the start of the body.
std::string error_message(const std::string& body) {
  const nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_object() && json.contains("error")) {
    const nlohmann::json& e = json["error"];
    if (e.is_object() && e.contains("message") && e["message"].is_string()) return e["message"].get<std::string>();
    if (e.is_string()) return e.get<std::string>();
  }
  return body.substr(0, 200);
}

}  // namespace

CompletionStream::CompletionStream(Clock::time_point sent_at, std::size_t prompt_tokens, bool chat)
    : sent_at_(sent_at), chat_(chat) {
  record_.prompt_tokens = prompt_tokens;
}

void CompletionStream::feed(const HttpResponseHead& head, std::string_view piece, Clock::time_point read_at) {
  if (head.status != 200) {
    error_body_ += piece;
    return;
  }
  for (const std::string& event : parser_.feed(piece)) take_event(event, read_at);
}

void CompletionStream::take_event(const std::string& data, Clock::time_point read_at) {
  if (done_ || !error_.empty()) return;
  if (data == "[DONE]") {
    done_ = true;
    record_.e2e = since_sent(read_at);
    return;
  }
  const nlohmann::json event = nlohmann::json::parse(data, nullptr, false);
  if (!event.is_object()) {
    error_ = str_cat("an event that is not a JSON object: ", data.substr(0, 100));
    return;
  }
  if (event.contains("error")) {
    error_ = str_cat("error event: ", error_message(data));
    return;
  }
  if (const auto usage = event.find("usage"); usage != event.end() && usage->is_object()) {
    usage_tokens_ = usage->value("completion_tokens", std::size_t{0});
  }
  const auto choices = event.find("choices");
  if (choices == event.end() || !choices->is_array() || choices->empty()) return;
  const nlohmann::json& choice = (*choices)[0];
  const nlohmann::json* text = nullptr;
  if (chat_ && choice.contains("delta") && choice["delta"].is_object() && choice["delta"].contains("content")) {
    text = &choice["delta"]["content"];
  } else if (!chat_ && choice.contains("text")) {
    text = &choice["text"];
  }
  if (text == nullptr || !text->is_string() || text->get_ref<const std::string&>().empty()) return;
  if (last_text_) {
    record_.itl.push_back(std::chrono::duration<double>(read_at - *last_text_).count());
  } else {
    record_.ttft = since_sent(read_at);
  }
  last_text_ = read_at;
  ++text_chunks_;
}

RequestRecord CompletionStream::finish(const HttpResponseHead& head) {
  if (head.status != 200) {
    record_.error = str_cat("HTTP ", head.status, ": ", error_message(error_body_));
  } else if (!error_.empty()) {
    record_.error = error_;
  } else if (!done_) {
    record_.error = "the stream ended without data: [DONE]";
  } else {
    record_.success = true;
    record_.output_tokens = usage_tokens_.value_or(text_chunks_);
  }
  return record_;
}

}  // namespace qwenrt::bench
