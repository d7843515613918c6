#include "engine/cuda_step_plan.h"

#include <algorithm>
#include <limits>

#include "core/error.h"
#include "kernels/cpu/qwen_v1_scaling.h"
#include "kernels/cuda/paged_attention_tiles.h"

namespace qwenrt::engine {
namespace {

// Appends values as a new range of out.
template <typename T>
PlanRange append(std::vector<T>& out, std::span<const T> values) {
  const PlanRange range{out.size(), values.size()};
  out.insert(out.end(), values.begin(), values.end());
  return range;
}

}  // namespace

CudaStepPlanner::CudaStepPlanner(const model::ModelConfig& config, const cpu::PagedKvLayout& cache)
    : config_(config), cache_(cache), rotary_(config) {
  cpu::validate(cache_);
}

void CudaStepPlanner::Columns::clear() {
  for (auto* v : {&ids, &positions, &token_sequence, &slots, &logit_token, &first_token, &num_tokens, &first_position,
                  &table_offset, &tables, &decode, &tiles}) {
    v->clear();
  }
  inv_freq.clear();
  scales.clear();
}

void CudaStepPlanner::plan(std::span<const SequenceStep> batch, CudaStepPlan& p) {
  constexpr auto kMaxInt = static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max());
  const std::size_t group = config_.num_heads / config_.num_kv_heads;
  const bool logn = config_.family == model::ModelFamily::kQwenV1 && config_.use_logn_attn;
  columns_.clear();
  auto& [ids, positions, token_sequence, slots, logit_token, first_token, num_tokens, first_position, table_offset,
         tables, decode, tiles, inv_freq, scales] = columns_;
  for (std::size_t s = 0; s < batch.size(); ++s) {
    const SequenceStep& step = batch[s];
    if (step.tokens.empty()) fail("forward: sequence ", s, " of the batch has no tokens");
    const std::size_t end = step.first_position + step.tokens.size();
    if (end > kMaxInt || ids.size() + step.tokens.size() > kMaxInt) {
      fail("forward: sequence ", s, " reaches position ", end, ", past what the CUDA kernels index");
    }
    cpu::detail::check_block_table("forward", cache_, step.block_table, end);
    const auto sequence = static_cast<std::int32_t>(s);
    first_token.push_back(static_cast<std::int32_t>(ids.size()));
    num_tokens.push_back(static_cast<std::int32_t>(step.tokens.size()));
    first_position.push_back(static_cast<std::int32_t>(step.first_position));
    table_offset.push_back(static_cast<std::int32_t>(tables.size()));
    const std::size_t blocks = (end + cache_.block_size - 1) / cache_.block_size;
    tables.insert(tables.end(), step.block_table.begin(), step.block_table.begin() + static_cast<std::ptrdiff_t>(blocks));
    const std::vector<float>& frequencies = rotary_.for_step(step).inverse_frequencies();
    inv_freq.insert(inv_freq.end(), frequencies.begin(), frequencies.end());
    if (step.tokens.size() == 1) {
      decode.push_back(sequence);
    } else {
      cuda::append_prefill_tiles(tiles, sequence, step.tokens.size(), group);
    }
    for (std::size_t t = 0; t < step.tokens.size(); ++t) {
      const TokenId id = step.tokens[t];
      if (id < 0 || static_cast<std::size_t>(id) >= config_.vocab_size) {
        fail("forward: token ", t, " of sequence ", s, " is id ", id, ", outside the vocabulary (", config_.vocab_size, ")");
      }
      const std::size_t position = step.first_position + t;
      if (step.logits_for_every_token || t + 1 == step.tokens.size()) logit_token.push_back(static_cast<std::int32_t>(ids.size()));
      ids.push_back(id);
      positions.push_back(static_cast<std::int32_t>(position));
      token_sequence.push_back(sequence);
      const auto block = static_cast<std::size_t>(step.block_table[position / cache_.block_size]);
      slots.push_back(static_cast<std::int32_t>(block * cache_.block_size + position % cache_.block_size));
      if (logn) scales.push_back(cpu::qwen_v1_logn_scale(position, config_.seq_length));
    }
  }
  if (cache_.num_blocks * cache_.block_size > kMaxInt) fail("forward: the KV cache has more slots than the CUDA kernels index");

  p.tokens = ids.size();
  p.sequences = batch.size();
  p.logit_rows = logit_token.size();
  p.decode_count = decode.size();
  p.prefill_tiles = tiles.size() / 2;
  p.ints.clear();
  p.token_ids = append<std::int32_t>(p.ints, ids);
  p.positions = append<std::int32_t>(p.ints, positions);
  p.token_sequence = append<std::int32_t>(p.ints, token_sequence);
  p.slots = append<std::int32_t>(p.ints, slots);
  p.logit_token = append<std::int32_t>(p.ints, logit_token);
  p.first_token = append<std::int32_t>(p.ints, first_token);
  p.num_tokens = append<std::int32_t>(p.ints, num_tokens);
  p.first_position = append<std::int32_t>(p.ints, first_position);
  p.block_table_offset = append<std::int32_t>(p.ints, table_offset);
  p.decode_sequences = append<std::int32_t>(p.ints, decode);
  p.tiles = append<std::int32_t>(p.ints, tiles);
  p.block_tables = append<std::int32_t>(p.ints, tables);  // last: see CudaStepPlan
  p.floats.clear();
  p.inv_freq = append<float>(p.floats, inv_freq);
  p.query_scales = append<float>(p.floats, scales);
}

}  // namespace qwenrt::engine
