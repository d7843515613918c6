// Choosing the next token of each sequence on the GPU, where the logits are, so that a decoding step
// copies back one id per sequence instead of a 600 KB row of logits. It computes what the CPU
// sampler (runtime/sampler.h) computes, in the same order: repetition, presence and frequency
// penalties; then greedy argmax, or top-k on the untempered logits, temperature, top-p (the smallest
// set of most likely tokens reaching the mass, ties included), min-p, and an inverse-CDF draw in id
// order from a uniform number the host supplies (so a seed gives the same stream of draws on either
// path). Thresholds are found by radix selection over the values' bits, in a few passes over the row
// and without sorting; masses are summed in fixed point, as the CPU sampler sums them.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

namespace qwenrt::cuda {

// One sequence's token seen before: every id of the prompt and the output counts for the repetition
// penalty, generated > 0 ones for the presence and frequency penalties.
struct PenaltyEntry {
  std::int32_t id;
  std::uint32_t generated;
};

// How one row of logits is sampled. Plain data, copied to the device as is.
struct SamplingRow {
  float temperature = 0.0f;  // 0: greedy (the caller maps temperatures below its epsilon to 0)
  float top_p = 1.0f;        // >= 1: off
  float min_p = 0.0f;        // 0: off
  float repetition_penalty = 1.0f;
  float presence_penalty = 0.0f;
  float frequency_penalty = 0.0f;
  std::int32_t top_k = 0;            // 0: off
  std::int32_t penalty_offset = 0;   // this row's entries in the penalty array
  std::int32_t penalty_count = 0;
  double uniform = 0.0;              // the draw's uniform number in [0, 1)
};

// What sample_rows writes for a row it could not sample.
inline constexpr std::int32_t kSampleAllMasked = -1;   // every logit is -inf after the penalties
inline constexpr std::int32_t kSampleNotFinite = -2;   // a logit is NaN or +inf: the forward pass broke

// For each row r < count: applies its penalties to logits row r (vocab floats, changed in place), then
// writes the chosen id, or one of the codes above, to out[r]. rows, penalties and out are in device
// memory; a penalty id must be below vocab (the host checks).
void sample_rows(cudaStream_t stream, float* logits, std::size_t count, std::size_t vocab, const SamplingRow* rows,
                 const PenaltyEntry* penalties, std::int32_t* out);

}  // namespace qwenrt::cuda
