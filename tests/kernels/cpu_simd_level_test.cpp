#include "kernels/cpu/simd_level.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "kernels/cpu/simd_kernels.h"

namespace qwenrt::cpu {
namespace {

TEST(SimdLevel, EveryLevelUpToTheBestCanBeSelectedAndIsTheOneUsed) {
  const SimdLevel saved = simd_level();
  const std::vector<SimdLevel> levels = supported_simd_levels();
  ASSERT_FALSE(levels.empty());
  EXPECT_EQ(levels.front(), SimdLevel::kScalar);
  EXPECT_EQ(levels.back(), best_simd_level());
  for (const SimdLevel level : levels) {
    set_simd_level(level);
    EXPECT_EQ(simd_level(), level);
    // The tests of every kernel rely on this: the table in use is the forced level's own.
    EXPECT_EQ(detail::active_simd_kernels().level, level);
  }
  set_simd_level(saved);
}

TEST(SimdLevel, LevelsBeyondTheCpuAreRefused) {
  const SimdLevel saved = simd_level();
  for (const SimdLevel level : {SimdLevel::kAvx2, SimdLevel::kAvx512}) {
    if (level <= best_simd_level()) continue;  // this CPU has it: nothing to refuse
    EXPECT_THROW(set_simd_level(level), Error);
    EXPECT_EQ(simd_level(), saved);
  }
}

TEST(SimdLevel, NamesRoundTrip) {
  for (const SimdLevel level : {SimdLevel::kScalar, SimdLevel::kAvx2, SimdLevel::kAvx512}) {
    EXPECT_EQ(parse_simd_level(simd_level_name(level)), level);
  }
  try {
    parse_simd_level("sse9");
    FAIL() << "no error for an unknown name";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "unknown SIMD level 'sse9' (expected scalar, avx2 or avx512)");
  }
}

}  // namespace
}  // namespace qwenrt::cpu
