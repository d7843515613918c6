#include "core/thread_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/error.h"

namespace qwenrt {
namespace {

// Runs parallel_for (grain 0) or parallel_for_dynamic and counts how often each index was visited.
std::vector<int> visit_counts(ThreadPool& pool, std::size_t n, std::size_t grain, std::size_t* calls = nullptr,
                              std::size_t* longest = nullptr) {
  std::vector<std::atomic<int>> counts(n);
  std::atomic<std::size_t> call_count{0};
  std::atomic<std::size_t> longest_range{0};
  const auto body = [&](std::size_t begin, std::size_t end) {
    EXPECT_LT(begin, end);
    EXPECT_LE(end, n);
    ++call_count;
    std::size_t seen = longest_range.load();
    while (end - begin > seen && !longest_range.compare_exchange_weak(seen, end - begin)) {
    }
    for (std::size_t i = begin; i < end; ++i) ++counts[i];
  };
  if (grain == 0) {
    pool.parallel_for(n, body);
  } else {
    pool.parallel_for_dynamic(n, grain, body);
  }
  if (calls != nullptr) *calls = call_count.load();
  if (longest != nullptr) *longest = longest_range.load();
  std::vector<int> result;
  for (const auto& c : counts) result.push_back(c.load());
  return result;
}

TEST(ThreadPool, VisitsEveryIndexExactlyOnce) {
  for (const std::size_t threads : {1u, 2u, 3u, 8u}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.size(), threads);
    for (const std::size_t n : {1u, 2u, 3u, 7u, 8u, 9u, 100u, 1001u}) {
      std::size_t calls = 0;
      const std::vector<int> counts = visit_counts(pool, n, 0, &calls);
      EXPECT_EQ(counts, std::vector<int>(n, 1)) << threads << " threads, n = " << n;
      EXPECT_EQ(calls, std::min(n, threads)) << "one contiguous range per thread";
      for (const std::size_t grain : {1u, 4u, 64u}) {
        std::size_t longest = 0;
        EXPECT_EQ(visit_counts(pool, n, grain, nullptr, &longest), std::vector<int>(n, 1)) << "grain " << grain;
        EXPECT_LE(longest, grain);
      }
    }
  }
}

TEST(ThreadPool, EvenSplitDiffersByAtMostOneIndex) {
  ThreadPool pool(4);
  std::vector<std::size_t> lengths(4, 0);
  std::atomic<std::size_t> next{0};
  pool.parallel_for(10, [&](std::size_t begin, std::size_t end) { lengths[next++] = end - begin; });
  std::sort(lengths.begin(), lengths.end());
  EXPECT_EQ(lengths, (std::vector<std::size_t>{2, 2, 3, 3}));
}

TEST(ThreadPool, ZeroSizeCallsNothing) {
  ThreadPool pool(3);
  bool called = false;
  pool.parallel_for(0, [&](std::size_t, std::size_t) { called = true; });
  pool.parallel_for_dynamic(0, 5, [&](std::size_t, std::size_t) { called = true; });
  EXPECT_FALSE(called);
}

TEST(ThreadPool, DefaultSizeIsTheAvailableCpuCount) {
  ThreadPool pool;
  EXPECT_EQ(pool.size(), available_cpu_count());
  EXPECT_GE(pool.size(), 1u);
}

TEST(ThreadPool, UsesSeveralThreads) {
  // With more ranges than threads and ranges that wait for each other, every thread must take part.
  ThreadPool pool(3);
  std::atomic<int> arrived{0};
  std::vector<std::thread::id> ids(3);
  pool.parallel_for(3, [&](std::size_t begin, std::size_t) {
    ids[begin] = std::this_thread::get_id();
    ++arrived;
    while (arrived.load() < 3) std::this_thread::yield();  // would never end on fewer than 3 threads
  });
  EXPECT_NE(ids[0], ids[1]);
  EXPECT_NE(ids[1], ids[2]);
  EXPECT_NE(ids[0], ids[2]);
}

TEST(ThreadPool, ExceptionsReachTheCallerAndThePoolStaysUsable) {
  ThreadPool pool(4);
  for (int round = 0; round < 20; ++round) {
    EXPECT_THROW(pool.parallel_for(100,
                                   [&](std::size_t begin, std::size_t end) {
                                     if (begin <= 60 && 60 < end) fail("index 60 is bad");
                                   }),
                 Error);
    try {
      pool.parallel_for_dynamic(1000, 7, [&](std::size_t begin, std::size_t) {
        if (begin == 994) throw std::runtime_error("last chunk");
      });
      FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "last chunk");
    }
    EXPECT_EQ(visit_counts(pool, 50, 0), std::vector<int>(50, 1));
  }
  ThreadPool single(1);
  EXPECT_THROW(single.parallel_for(5, [](std::size_t, std::size_t) { fail("inline"); }), Error);
}

TEST(ThreadPool, NestedCallsRunOnTheCallingThread) {
  ThreadPool pool(3);
  std::vector<std::atomic<int>> counts(6 * 10);
  pool.parallel_for(6, [&](std::size_t begin, std::size_t end) {
    for (std::size_t outer = begin; outer < end; ++outer) {
      const std::thread::id self = std::this_thread::get_id();
      pool.parallel_for(10, [&](std::size_t b, std::size_t e) {
        EXPECT_EQ(std::this_thread::get_id(), self);
        for (std::size_t i = b; i < e; ++i) ++counts[outer * 10 + i];
      });
      pool.parallel_for_dynamic(10, 3, [&](std::size_t b, std::size_t e) { EXPECT_LE(e - b, 3u); });
    }
  });
  for (const auto& c : counts) EXPECT_EQ(c.load(), 1);
}

TEST(ThreadPool, CallsFromSeveralThreadsAreSerialised) {
  ThreadPool pool(3);
  std::vector<std::thread> callers;
  std::atomic<int> failures{0};
  for (int c = 0; c < 4; ++c) {
    callers.emplace_back([&] {
      for (int round = 0; round < 200; ++round) {
        if (visit_counts(pool, 37, round % 2 == 0 ? 0 : 5) != std::vector<int>(37, 1)) ++failures;
      }
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(ThreadPool, ManyQuickJobsInARow) {
  // The spin-then-sleep hand-off must not lose a job, whether workers are awake or asleep.
  ThreadPool pool(4);
  std::atomic<std::size_t> total{0};
  for (int round = 0; round < 2000; ++round) {
    pool.parallel_for(8, [&](std::size_t begin, std::size_t end) { total += end - begin; });
    if (round % 1000 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));  // let workers sleep
  }
  EXPECT_EQ(total.load(), 2000u * 8);
}

}  // namespace
}  // namespace qwenrt
