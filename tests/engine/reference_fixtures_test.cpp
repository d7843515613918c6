// The CPU transformer against Hugging Face transformers on every fixture of tests/data/models: each
// family (Qwen v1, Qwen2, Qwen3), both config styles, float32 and bfloat16 weights.
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "engine/cpu_transformer.h"
#include "engine/reference_run.h"
#include "fixture_models.h"

namespace qwenrt::engine {
namespace {

using testing::fixture_dir;
using testing::load_reference;

class ReferenceFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(ReferenceFixture, MatchesTransformers) {
  const auto dir = fixture_dir(GetParam());
  const LoadedModel model = LoadedModel::load(dir);
  const ReferenceRun expected = load_reference(dir / "reference.json");
  ThreadPool pool(2);
  CpuTransformer cpu(model, pool, {.block_size = 16, .num_blocks = 4});
  const ReferenceRun ours = run_reference(cpu, expected.prompt_ids, expected.greedy_ids.size());
  const ReferenceComparison c = compare_references(ours, expected);
  EXPECT_EQ(c.positions, expected.prompt_ids.size() + expected.greedy_ids.size());
  EXPECT_EQ(c.top1_agreements, c.positions) << "top-1 differs somewhere";
  EXPECT_LE(c.max_top20_logit_diff, 1e-3f);
  EXPECT_LE(c.max_last_logit_diff, 1e-3f);
  EXPECT_EQ(c.greedy_common_prefix, expected.greedy_ids.size());
  std::cout << GetParam() << ": max |logit diff| top-20 " << c.max_top20_logit_diff << ", last logits "
            << c.max_last_logit_diff << "\n";
}

INSTANTIATE_TEST_SUITE_P(AllFamilies, ReferenceFixture, testing::all_fixture_models(), testing::fixture_test_name);

TEST(ReferenceRunErrors, RejectsBadPromptsAndSmallCaches) {
  const LoadedModel model = LoadedModel::load(fixture_dir("qwen2-f32"));
  ThreadPool pool(1);
  CpuTransformer cpu(model, pool, {.block_size = 16, .num_blocks = 1});
  const std::vector<TokenId> too_long(17, 1);
  EXPECT_THROW(run_reference(cpu, too_long, 0), Error);
  const std::vector<TokenId> outside = {1, 512};
  EXPECT_THROW(run_reference(cpu, outside, 1), Error);
  EXPECT_THROW(run_reference(cpu, {}, 1), Error);
}

}  // namespace
}  // namespace qwenrt::engine
