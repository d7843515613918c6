// The host side of a CUDA forward step, which needs no GPU: how a batch is flattened for the kernels
// (cache slots, logit rows, decode and prefill work, rotary frequencies, Qwen v1's scales) and the
// one-line Errors for steps the kernels must never see.
#include "engine/cuda_step_plan.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "kernels/cpu/qwen_v1_scaling.h"
#include "kernels/cuda/paged_attention_tiles.h"
#include "model/model_config.h"

namespace qwenrt::engine {
namespace {

model::ModelConfig small_config(model::ModelFamily family) {
  model::ModelConfig c;
  c.family = family;
  c.hidden_size = 64;
  c.num_heads = 8;
  c.num_kv_heads = 2;
  c.head_dim = 16;
  c.rotary_dim = 16;
  c.vocab_size = 100;
  c.rope_theta = 10000;
  c.seq_length = 8;
  c.use_dynamic_ntk = family == model::ModelFamily::kQwenV1;
  c.use_logn_attn = family == model::ModelFamily::kQwenV1;
  return c;
}

std::vector<std::int32_t> slice(const CudaStepPlan& plan, PlanRange range) {
  return {plan.ints.begin() + static_cast<std::ptrdiff_t>(range.offset),
          plan.ints.begin() + static_cast<std::ptrdiff_t>(range.offset + range.size)};
}

TEST(CudaStepPlan, FlattensAMixedBatch) {
  const model::ModelConfig config = small_config(model::ModelFamily::kQwen2);
  CudaStepPlanner planner(config, {4, 10, 2, 16});
  const std::vector<TokenId> prompt = {5, 6, 7, 8, 9, 10}, one = {42}, chunk = {1, 2, 3};
  const std::vector<std::int32_t> t0 = {7, 2}, t1 = {0, 1, 3}, t2 = {9, 4};
  const std::vector<SequenceStep> batch = {{prompt, 0, t0, true}, {one, 9, t1, false}, {chunk, 2, t2, false}};
  CudaStepPlan plan;
  planner.plan(batch, plan);

  EXPECT_EQ(plan.tokens, 10u);
  EXPECT_EQ(plan.sequences, 3u);
  EXPECT_EQ(slice(plan, plan.token_ids), (std::vector<std::int32_t>{5, 6, 7, 8, 9, 10, 42, 1, 2, 3}));
  EXPECT_EQ(slice(plan, plan.positions), (std::vector<std::int32_t>{0, 1, 2, 3, 4, 5, 9, 2, 3, 4}));
  EXPECT_EQ(slice(plan, plan.token_sequence), (std::vector<std::int32_t>{0, 0, 0, 0, 0, 0, 1, 2, 2, 2}));
  // Slot = block * 4 + position % 4: positions 0-3 in block 7, 4-5 in block 2; 9 in block 3; 2-3 in
  // block 9, 4 in block 4.
  EXPECT_EQ(slice(plan, plan.slots), (std::vector<std::int32_t>{28, 29, 30, 31, 8, 9, 13, 38, 39, 16}));
  // Every token of the first sequence, the last of the others.
  EXPECT_EQ(plan.logit_rows, 8u);
  EXPECT_EQ(slice(plan, plan.logit_token), (std::vector<std::int32_t>{0, 1, 2, 3, 4, 5, 6, 9}));
  EXPECT_EQ(slice(plan, plan.first_token), (std::vector<std::int32_t>{0, 6, 7}));
  EXPECT_EQ(slice(plan, plan.num_tokens), (std::vector<std::int32_t>{6, 1, 3}));
  EXPECT_EQ(slice(plan, plan.first_position), (std::vector<std::int32_t>{0, 9, 2}));
  // Only the blocks up to each sequence's last position travel.
  EXPECT_EQ(slice(plan, plan.block_tables), (std::vector<std::int32_t>{7, 2, 0, 1, 3, 9, 4}));
  EXPECT_EQ(slice(plan, plan.block_table_offset), (std::vector<std::int32_t>{0, 2, 5}));
  EXPECT_EQ(plan.decode_count, 1u);
  EXPECT_EQ(slice(plan, plan.decode_sequences), (std::vector<std::int32_t>{1}));
  std::vector<std::int32_t> tiles;
  cuda::append_prefill_tiles(tiles, 0, 6, 4);  // 24 rows: one tile
  cuda::append_prefill_tiles(tiles, 2, 3, 4);
  EXPECT_EQ(slice(plan, plan.tiles), tiles);
  EXPECT_EQ(plan.prefill_tiles, 2u);
  EXPECT_EQ(plan.inv_freq.size, 3u * 8);
  EXPECT_FLOAT_EQ(plan.floats[plan.inv_freq.offset + 1], 1.0f / std::pow(10000.0f, 2.0f / 16));
  EXPECT_EQ(plan.query_scales.size, 0u);
}

TEST(CudaStepPlan, PrefillTilesCoverEveryRowOnce) {
  std::vector<std::int32_t> tiles;
  cuda::append_prefill_tiles(tiles, 3, 100, 7);  // 700 rows
  ASSERT_EQ(tiles.size(), 2 * ((700 + cuda::kPrefillTileRows - 1) / cuda::kPrefillTileRows));
  for (std::size_t i = 0; i < tiles.size() / 2; ++i) {
    EXPECT_EQ(tiles[2 * i], 3);
    EXPECT_EQ(static_cast<std::size_t>(tiles[2 * i + 1]), i * cuda::kPrefillTileRows);
  }
}

TEST(CudaStepPlan, QwenV1GetsItsNtkBaseAndLognScales) {
  const model::ModelConfig config = small_config(model::ModelFamily::kQwenV1);
  CudaStepPlanner planner(config, {4, 10, 2, 16});
  const std::vector<TokenId> prompt(12, 1);  // longer than seq_length 8: alpha 3 and logn > 1
  const std::vector<std::int32_t> table = {0, 1, 2};
  CudaStepPlan plan;
  planner.plan(std::vector<SequenceStep>{{prompt, 0, table, false, 12}}, plan);
  ASSERT_EQ(plan.query_scales.size, 12u);
  for (std::size_t p = 0; p < 12; ++p) {
    EXPECT_EQ(plan.floats[plan.query_scales.offset + p], cpu::qwen_v1_logn_scale(p, 8)) << "position " << p;
  }
  const double base = cpu::qwen_v1_ntk_base(10000, 16, cpu::qwen_v1_ntk_alpha(12, 8));
  EXPECT_FLOAT_EQ(plan.floats[plan.inv_freq.offset + 1], cpu::RotaryEmbedding(16, base).inverse_frequencies()[1]);
}

TEST(CudaStepPlan, RejectsStepsTheKernelsMustNotSee) {
  const model::ModelConfig config = small_config(model::ModelFamily::kQwen3);
  CudaStepPlanner planner(config, {4, 10, 2, 16});
  const std::vector<std::int32_t> table = {0, 1};
  const std::vector<TokenId> fine = {1, 2}, outside = {1, 100}, negative = {-1}, too_long(9, 1), eight(8, 1), none;
  const std::vector<std::int32_t> bad_block = {0, 10};
  CudaStepPlan plan;
  const auto plan_one = [&](const SequenceStep& step) { planner.plan(std::span(&step, 1), plan); };
  EXPECT_NO_THROW(plan_one({fine, 0, table}));
  EXPECT_THROW(plan_one({outside, 0, table}), Error);
  EXPECT_THROW(plan_one({negative, 0, table}), Error);
  EXPECT_THROW(plan_one({too_long, 0, table}), Error);
  EXPECT_THROW(plan_one({fine, 7, table}), Error);
  EXPECT_THROW(plan_one({none, 0, table}), Error);
  EXPECT_THROW(plan_one({eight, 0, bad_block}), Error);
  try {
    plan_one({outside, 0, table});
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("outside the vocabulary"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace qwenrt::engine
