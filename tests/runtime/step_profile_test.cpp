#include "runtime/step_profile.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace qwenrt::runtime {
namespace {

TEST(StepProfileTest, BucketsArePowersOfTwoUpToTheLast) {
  EXPECT_EQ(StepProfile::bucket_of(1), 0u);
  EXPECT_EQ(StepProfile::bucket_of(2), 1u);
  EXPECT_EQ(StepProfile::bucket_of(3), 1u);
  EXPECT_EQ(StepProfile::bucket_of(4), 2u);
  EXPECT_EQ(StepProfile::bucket_of(255), 7u);
  EXPECT_EQ(StepProfile::bucket_of(256), 8u);
  EXPECT_EQ(StepProfile::bucket_of(1024), 10u);
  EXPECT_EQ(StepProfile::bucket_of(std::size_t{1} << 15), StepProfile::kBuckets - 1);
  EXPECT_EQ(StepProfile::bucket_of(std::size_t{1} << 40), StepProfile::kBuckets - 1);
  EXPECT_THROW(StepProfile::bucket_of(0), Error);
}

TEST(StepProfileTest, DecodeOnlyStepsAreKeptApartFromStepsWithPrompts) {
  StepProfile p;
  p.add(5, 5, 0.25);
  p.add(6, 6, 0.5);
  p.add(5, 300, 2.0);
  p.add(1, 1, 0.125);
  EXPECT_EQ(p.decode_only()[2].steps, 2u);
  EXPECT_EQ(p.decode_only()[2].tokens, 11u);
  EXPECT_DOUBLE_EQ(p.decode_only()[2].seconds, 0.75);
  EXPECT_EQ(p.with_prompts()[2].steps, 1u);
  EXPECT_EQ(p.with_prompts()[2].tokens, 300u);
  EXPECT_DOUBLE_EQ(p.with_prompts()[2].seconds, 2.0);
  EXPECT_EQ(p.decode_only()[0].steps, 1u);
  EXPECT_EQ(p.with_prompts()[0].steps, 0u);
  EXPECT_THROW(p.add(4, 3, 0.1), Error);
  EXPECT_THROW(p.add(0, 0, 0.1), Error);
}

TEST(StepProfileTest, SubtractLeavesTheStepsSinceAnEarlierCopy) {
  StepProfile p;
  p.add(3, 3, 1.0);
  const StepProfile earlier = p;
  p.add(3, 3, 0.5);
  p.add(2, 40, 0.25);
  p.subtract(earlier);
  EXPECT_EQ(p.decode_only()[1].steps, 1u);
  EXPECT_EQ(p.decode_only()[1].tokens, 3u);
  EXPECT_DOUBLE_EQ(p.decode_only()[1].seconds, 0.5);
  EXPECT_EQ(p.with_prompts()[1].steps, 1u);
  StepProfile empty;
  EXPECT_THROW(empty.subtract(p), Error);
}

}  // namespace
}  // namespace qwenrt::runtime
