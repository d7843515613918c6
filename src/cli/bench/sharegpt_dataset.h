// The ShareGPT conversations file that the throughput and serving benchmarks draw their requests
// from (ShareGPT_V3_unfiltered_cleaned_split.json: a JSON array of {"id", "conversations": [{"from",
// "value"}, ...]}), and the drawing itself, by vLLM's rules (benchmarks/benchmark_dataset.py,
// ShareGPTDataset and is_valid_sequence) so that a request set means what vLLM's does:
//   - conversations with fewer than two turns are dropped, the rest shuffled with the seed;
//   - in that order, turn 0 is the prompt and turn 1's token count the output length (vLLM reads the
//     first two turns whatever their "from" says; in ShareGPT that is nearly always human, then gpt);
//   - a pair is skipped when the prompt or the output has fewer than 4 tokens, the prompt more than
//     1024, or both together more than 2048;
//   - drawing stops at num_prompts requests; when the file has fewer valid pairs, the rest are drawn
//     again from the valid ones at random, with replacement.
// Token counts are the model tokenizer's on the raw text, with no template, as vLLM counts them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/bench/summary_stats.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::bench {

inline constexpr std::size_t kMinSequenceTokens = 4;
inline constexpr std::size_t kMaxPromptTokens = 1024;
inline constexpr std::size_t kMaxTotalTokens = 2048;

// What sampling needs of one conversation: the first two turns and how many there are.
struct ShareGptConversation {
  std::string id;
  std::size_t turns = 0;
  std::string prompt;      // turn 0's value ("" when there is none)
  std::string completion;  // turn 1's value ("" when there is none)
};

// Reads the file. Entries without "conversations" are skipped, as vLLM skips them; anything else out
// of shape (not a JSON array, an entry or a turn that is not an object, a value that is not a string)
// throws Error naming the file, the entry and the problem.
std::vector<ShareGptConversation> read_sharegpt(const std::filesystem::path& file);

// vLLM's validity rule for a prompt and output length, above.
bool is_valid_pair(std::size_t prompt_tokens, std::size_t output_tokens);

// The token lengths of a file's first exchanges: of every conversation with two turns or more, and
// of those that vLLM's rule keeps (what a benchmark samples from).
struct ShareGptLengths {
  std::size_t multi_turn = 0, valid = 0;
  SummaryStats prompt, output;              // all multi-turn conversations
  SummaryStats valid_prompt, valid_output;  // the valid ones
};
ShareGptLengths measure_sharegpt(const std::vector<ShareGptConversation>& conversations,
                                 const tokenizer::Tokenizer& tokenizer);

struct SampledRequest {
  std::string conversation_id;
  std::string prompt;
  std::vector<tokenizer::TokenId> prompt_ids;
  std::size_t output_len = 0;
};

struct SampleOptions {
  std::size_t num_prompts = 1000;
  std::uint64_t seed = 0;
};

struct SampledDataset {
  std::vector<SampledRequest> requests;
  std::size_t conversations = 0;  // in the file
  std::size_t multi_turn = 0;     // of those, with two turns or more
  std::size_t examined = 0;       // pairs tokenized until num_prompts were found or the file ended
  std::size_t valid = 0;          // of those, kept
  std::size_t resampled = 0;      // requests drawn again because the file had too few valid pairs
};

// Draws the requests. source names the file in errors. Throws Error when no pair is valid.
SampledDataset sample_sharegpt(const std::vector<ShareGptConversation>& conversations,
                               const tokenizer::Tokenizer& tokenizer, const SampleOptions& options,
                               const std::string& source);

}  // namespace qwenrt::bench
