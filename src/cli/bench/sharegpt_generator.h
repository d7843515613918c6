// A synthetic stand-in for ShareGPT_V3_unfiltered_cleaned_split.json, for machines that cannot fetch
// the real file: conversations in its format whose first exchange has ShareGPT's length distribution,
// in the model's own tokens, written in plain English prose (EnglishTextWriter) that encodes to exactly
// the lengths drawn.
//
// The lengths are log-normal, with parameters chosen so that what vLLM's sampling keeps of them
// (sharegpt_dataset.h) has the means that published ShareGPT runs report for tokenizers of Qwen's
// kind (Llama 3's, 128K vocabulary): 224.0 prompt and 198.1 output tokens over the 1,648 requests of
// sglang issue #2805 (bench_serving, ignore_eos, so the outputs are the dataset's lengths), 229.7 and
// 203.1 over the 1,000 of vLLM pull request #18566. The raw first turns are longer-tailed: the vLLM
// paper (Kwon et al., SOSP 2023, section 6.1 and figure 11) reports ShareGPT inputs 8.4 times and
// outputs 5.8 times as long as Alpaca's on average, with long prompts far past 1024 tokens, which
// the sampler drops. docs/BENCHMARKS.md has the figures and the statistics of a generated file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/random_stream.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::bench {

struct LogNormalLengths {
  double median;    // exp(mu)
  double sigma;     // of the logarithm
  std::size_t max;  // longer draws are cut to this

  // A length in [1, max].
  std::size_t draw(runtime::RandomStream& random) const;
};

inline constexpr LogNormalLengths kSharegptPromptLengths{165.0, 1.2, 8192};
inline constexpr LogNormalLengths kSharegptOutputLengths{135.0, 0.9, 4096};
// Conversations of one human turn and no answer, which the sampler must skip.
inline constexpr double kSharegptSingleTurnShare = 0.02;

struct GeneratedConversation {
  std::string id;
  std::string prompt;
  std::string answer;  // empty for a single-turn conversation
  std::size_t prompt_tokens = 0;
  std::size_t answer_tokens = 0;  // 0 for a single-turn conversation
};

// n conversations drawn from seed: the same n, seed and tokenizer give the same file.
std::vector<GeneratedConversation> generate_sharegpt(const tokenizer::Tokenizer& tokenizer, std::size_t n,
                                                     std::uint64_t seed);

// The JSON text of the file: an array with one conversation a line, in ShareGPT's shape.
std::string sharegpt_json(const std::vector<GeneratedConversation>& conversations);

}  // namespace qwenrt::bench
