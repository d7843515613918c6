// The host side of one CUDA forward step: everything the kernels need to know about a batch of
// SequenceSteps, flattened into two arrays that reach the GPU in a single copy. Plain C++ with no CUDA
// dependency, so its checks and its layout are tested on machines without a GPU too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/forward_batch.h"
#include "engine/rotary_cache.h"
#include "kernels/cpu/paged_kv_cache.h"
#include "model/model_config.h"

namespace qwenrt::engine {

// Where each array starts in CudaStepPlan::ints (in int32 elements) or ::floats, and how long it is.
struct PlanRange {
  std::size_t offset = 0;
  std::size_t size = 0;
};

struct CudaStepPlan {
  std::size_t tokens = 0;          // new tokens of the whole batch
  std::size_t sequences = 0;
  std::size_t logit_rows = 0;      // logit_rows(batch)
  std::size_t decode_count = 0;    // sequences adding one token: the decode kernel's
  std::size_t prefill_tiles = 0;   // (sequence, first row) pairs for the prefill kernel

  // Every range but block_tables (which comes last) has a size fixed by the numbers of tokens,
  // sequences and decoding sequences, so two decode steps of as many sequences lay their arrays out
  // alike: what lets a CUDA graph captured for one replay for the other.
  std::vector<std::int32_t> ints;
  PlanRange token_ids, positions, token_sequence, slots;  // per token
  PlanRange logit_token;                                  // per logit row: the token it is computed from
  PlanRange first_token, num_tokens, first_position, block_table_offset;  // per sequence
  PlanRange decode_sequences, tiles, block_tables;

  std::vector<float> floats;
  PlanRange inv_freq;      // sequences x rotary_dim / 2: each sequence's rotary frequencies
  PlanRange query_scales;  // per token, Qwen v1's logn factor; empty when the model does not use it
};

class CudaStepPlanner {
 public:
  CudaStepPlanner(const model::ModelConfig& config, const cpu::PagedKvLayout& cache);

  // Fills plan for batch. Throws Error (naming the sequence) for a step without tokens, a token id
  // outside the vocabulary, a position past the int32 range, or a block table that does not cover
  // the step's last position with blocks of the cache.
  void plan(std::span<const SequenceStep> batch, CudaStepPlan& plan);

 private:
  // The arrays of a plan as they are gathered, kept from step to step: built afresh each step, their
  // growth (copies, page faults) made a plan of 1,024 decoding sequences 20 times slower, 881 against
  // 44 us on the development machine (bench/cuda_step_plan_bench.cpp), while the GPU waits for it.
  struct Columns {
    std::vector<std::int32_t> ids, positions, token_sequence, slots, logit_token;
    std::vector<std::int32_t> first_token, num_tokens, first_position, table_offset, tables, decode, tiles;
    std::vector<float> inv_freq, scales;
    void clear();
  };

  const model::ModelConfig& config_;
  cpu::PagedKvLayout cache_;
  RotaryCache rotary_;
  Columns columns_;
};

}  // namespace qwenrt::engine
