// ShareGPT conversations for the benchmark tests' files, and text of a known token count.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace qwenrt::bench::testing {

// {"id", "conversations": [{"from": "human" | "gpt", "value"}, ...]}, the turns alternating.
inline nlohmann::json conversation(const std::string& id, const std::vector<std::string>& turns) {
  nlohmann::json c = {{"id", id}, {"conversations", nlohmann::json::array()}};
  for (std::size_t i = 0; i < turns.size(); ++i) {
    c["conversations"].push_back({{"from", i % 2 == 0 ? "human" : "gpt"}, {"value", turns[i]}});
  }
  return c;
}

// "word word ... word": n tokens for Qwen's vocabularies ("word" and " word" are one token each).
inline std::string words(std::size_t n) {
  std::string text = "word";
  for (std::size_t i = 1; i < n; ++i) text += " word";
  return text;
}

}  // namespace qwenrt::bench::testing
