#include "core/open_files.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdint>

namespace qwenrt {
namespace {

// Lowers the soft limit first, so the raise has something to do whatever limit the test starts with.
TEST(OpenFiles, RaiseLiftsTheSoftLimitToTheHardLimit) {
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  const rlim_t hard = limit.rlim_max;
  limit.rlim_cur = hard == RLIM_INFINITY || hard > 512 ? 512 : hard;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &limit), 0);

  const std::uint64_t raised = raise_open_file_limit();
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  EXPECT_EQ(limit.rlim_cur, hard);
  EXPECT_EQ(raised, hard == RLIM_INFINITY ? UINT64_MAX : static_cast<std::uint64_t>(hard));
  EXPECT_EQ(raise_open_file_limit(), raised) << "a second call changes nothing";
}

}  // namespace
}  // namespace qwenrt
