// Single-thread encode speed of qwenrt's tokenizer on the tokenizer test corpus (scripts/make_testdata.sh):
// every corpus line encoded in turn, added tokens parsed, for both vocabulary formats. Prints JSON with
// the median MB/s (10^6 bytes of UTF-8 input per second) of several timed passes after a warm-up pass.
// bench/tokenizer_bench.sh runs it beside the tiktoken WASM benchmark.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "core/error.h"
#include "json_lines.h"
#include "tokenizer/tokenizer.h"

namespace {

using qwenrt::tokenizer::SpecialTokens;
using qwenrt::tokenizer::TokenId;
using qwenrt::tokenizer::Tokenizer;

struct Pass {
  double seconds;
  std::size_t tokens;
};

Pass encode_corpus(const Tokenizer& tok, const std::vector<std::string>& lines) {
  std::vector<TokenId> ids;
  std::size_t tokens = 0;
  const auto start = std::chrono::steady_clock::now();
  for (const std::string& line : lines) {
    ids.clear();
    tok.encode_append(line, SpecialTokens::kParse, ids);
    tokens += ids.size();
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  return {elapsed.count(), tokens};
}

nlohmann::json measure(const char* format, const Tokenizer& tok, const std::vector<std::string>& lines,
                       std::size_t bytes, int runs) {
  const std::size_t tokens = encode_corpus(tok, lines).tokens;  // warm-up pass
  std::vector<double> mb_per_s;
  for (int i = 0; i < runs; ++i) {
    mb_per_s.push_back(static_cast<double>(bytes) / 1e6 / encode_corpus(tok, lines).seconds);
  }
  std::vector<double> sorted = mb_per_s;
  std::sort(sorted.begin(), sorted.end());
  return {{"format", format},
          {"tokens", tokens},
          {"median_mb_per_s", sorted[sorted.size() / 2]},
          {"runs_mb_per_s", mb_per_s}};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Single-thread encode speed of qwenrt's tokenizer on the tokenizer test corpus"};
  std::filesystem::path data_dir = std::filesystem::path(QWENRT_TESTDATA_DIR) / "tokenizer";
  int runs = 5;
  app.add_option("--data-dir", data_dir, "directory scripts/make_testdata.sh wrote")->capture_default_str();
  app.add_option("--runs", runs, "timed passes over the corpus")->check(CLI::PositiveNumber)->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    const auto lines = qwenrt::testing::read_json_lines<std::string>(data_dir / "corpus.jsonl");
    std::size_t bytes = 0;
    for (const std::string& line : lines) bytes += line.size();
    nlohmann::json results = nlohmann::json::array();
    const Tokenizer from_json = Tokenizer::from_tokenizer_json(data_dir / "tokenizer.json");
    results.push_back(measure("tokenizer.json", from_json, lines, bytes, runs));
    const Tokenizer from_tiktoken = Tokenizer::from_tiktoken(data_dir / "qwen.tiktoken");
    results.push_back(measure("qwen.tiktoken", from_tiktoken, lines, bytes, runs));
    const nlohmann::json report = {{"tokenizer", "qwenrt"}, {"lines", lines.size()}, {"bytes", bytes},
                                   {"runs", runs}, {"results", results}};
    std::cout << report.dump() << "\n";
  } catch (const qwenrt::Error& e) {
    std::cerr << "qwenrt_tokenizer_bench: " << e.what() << " (run scripts/make_testdata.sh)\n";
    return 1;
  }
  return 0;
}
