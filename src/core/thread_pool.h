// A fixed set of worker threads for data-parallel loops. The compute kernels call it several times per
// layer and token, so a call must cost microseconds, not a thread start: workers live as long as the
// pool, spin briefly after each job so that back-to-back calls find them awake, and then sleep on a
// futex (C++20 atomic wait) so that an idle pool burns no CPU.
//
// A job is finished when all its ranges are, not when every worker has checked in: ranges are claimed
// from a shared counter, so a worker that is slow to wake (asleep, or its virtual CPU descheduled by
// the hypervisor) simply finds nothing left to do, and the threads that are running take its share.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace qwenrt {

// The CPUs this process may run on (its affinity mask, which containers and taskset narrow), at least 1.
std::size_t available_cpu_count();

class ThreadPool {
 public:
  // threads counts the calling thread, which works on every job too, so threads - 1 workers start.
  // 0 means available_cpu_count().
  explicit ThreadPool(std::size_t threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Threads that run a job, the caller included.
  std::size_t size() const { return workers_.size() + 1; }

  // Calls fn(begin, end) on min(n, size()) disjoint contiguous ranges of near-equal length that cover
  // [0, n), concurrently (the calling thread takes ranges too), and returns when all have finished.
  // n == 0 calls nothing. If fn throws, the ranges not yet started are skipped and the first exception
  // is rethrown here once the running ones have finished. A call made from inside fn (on any thread of
  // this pool) runs fn(0, n) on the calling thread; calls from several outside threads are serialised.
  template <typename Fn>
  void parallel_for(std::size_t n, Fn&& fn) {
    run(n, 0, &invoke<std::remove_reference_t<Fn>>, context_of(fn));
  }

  // The same for uneven work: ranges of grain indices (the last may be shorter) are handed out one at a
  // time to whichever thread is free. fn never sees a range longer than grain, nested calls included.
  template <typename Fn>
  void parallel_for_dynamic(std::size_t n, std::size_t grain, Fn&& fn) {
    run(n, grain == 0 ? 1 : grain, &invoke<std::remove_reference_t<Fn>>, context_of(fn));
  }

 private:
  using RangeFn = void (*)(void* context, std::size_t begin, std::size_t end);

  // The callable travels as void*; invoke<Fn> restores its type, const included.
  template <typename Fn>
  static void* context_of(Fn& fn) {
    return const_cast<void*>(static_cast<const void*>(std::addressof(fn)));
  }
  template <typename Fn>
  static void invoke(void* context, std::size_t begin, std::size_t end) {
    (*static_cast<Fn*>(context))(begin, end);
  }

  struct Job {
    RangeFn fn = nullptr;
    void* context = nullptr;
    std::size_t n = 0;
    std::size_t chunks = 0;
    std::size_t grain = 0;  // 0: chunks split n evenly
  };

  void run(std::size_t n, std::size_t grain, RangeFn fn, void* context);
  void run_inline(const Job& job);
  void work_on_chunks();
  void worker_loop();
  void stop_workers();
  void close_and_drain(std::uint32_t generation);

  std::vector<std::thread> workers_;
  std::mutex dispatch_mutex_;  // one outside caller at a time

  // The job protocol. generation_ is even while a job is open to workers and odd while the caller
  // replaces it. A worker registers in entered_ and then re-checks generation_ before it reads job_;
  // the caller makes generation_ odd and waits for entered_ to drop to 0 before it writes job_. So no
  // worker ever reads a job that is being written, however late it wakes.
  //
  // Each field that several threads touch during a job has a cache line of its own: spinning readers
  // of one would otherwise keep stealing the line from the atomic updates of another.
  static constexpr std::size_t kCacheLine = 64;

  alignas(kCacheLine) Job job_;
  std::atomic<bool> failed_{false};
  std::atomic<bool> stopping_{false};
  // 32 bits, like entered_ and finished_, so that waiting on them is a plain futex wait.
  alignas(kCacheLine) std::atomic<std::uint32_t> generation_{0};
  alignas(kCacheLine) std::atomic<std::uint32_t> entered_{0};
  alignas(kCacheLine) std::atomic<std::size_t> next_chunk_{0};
  alignas(kCacheLine) std::atomic<std::size_t> chunks_done_{0};
  // The generation of the last job whose chunks are all done; the caller waits for it.
  alignas(kCacheLine) std::atomic<std::uint32_t> finished_{0};

  std::mutex error_mutex_;
  std::exception_ptr error_;
};

}  // namespace qwenrt
