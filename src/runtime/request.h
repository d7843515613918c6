// A generation request as the serving runtime takes it in and reports it back: what to generate,
// where each token and piece of text goes as soon as it exists, and what it cost.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/sampling_params.h"
#include "runtime/sequence_output.h"
#include "runtime/token_logprobs.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::runtime {

using RequestId = std::uint64_t;

struct RequestMetrics {
  std::size_t prompt_tokens = 0;
  // Prompt tokens whose keys and values came from the prefix cache at the first admission.
  std::size_t cached_prompt_tokens = 0;
  std::size_t output_tokens = 0;
  // Times the request lost its KV blocks to older requests and was recomputed.
  std::size_t preemptions = 0;
  double queue_seconds = 0;               // submitted until first scheduled
  double time_to_first_token = 0;         // submitted until the first token was sampled; 0 without one
  double time_per_output_token = 0;       // mean gap between later tokens; 0 with fewer than two
  double total_seconds = 0;               // submitted until finished
};

struct RequestResult {
  RequestId id = 0;
  std::vector<tokenizer::TokenId> tokens;  // generated, without a stop token
  std::string text;                        // everything streamed: up to a stop string, never past it
  std::vector<TokenLogprobs> logprobs;     // one per token when the params ask for logprobs
  FinishReason finish = FinishReason::kLength;
  std::string error;                       // why, for FinishReason::kError
  RequestMetrics metrics;
};

// One step's news for one request, handed to its callback on the engine thread. Each request gets at
// least one; the last, and only the last, carries the result.
struct RequestUpdate {
  RequestId id = 0;
  std::optional<tokenizer::TokenId> token;  // the token generated this step, if it is part of the output
  const TokenLogprobs* logprobs = nullptr;  // the token's, when the params ask for logprobs
  std::string_view text;                    // text that became final (possibly empty)
  const RequestResult* result = nullptr;    // set when the request has finished
};

// Runs on the engine thread between forward steps, so it should only hand the update on (copy what it
// keeps: the views die when it returns) and must not throw. Returning false cancels the request; the
// return value of the final update is ignored.
using RequestCallback = std::function<bool(const RequestUpdate&)>;

struct Request {
  std::vector<tokenizer::TokenId> prompt;
  SamplingParams params;
  RequestCallback on_update;  // may be empty: the result is then lost, which suits only benchmarks
};

}  // namespace qwenrt::runtime
