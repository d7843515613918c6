#include "core/thread_pool.h"

#include <algorithm>
#include <chrono>
#include <system_error>

#include "core/error.h"

#if defined(__linux__)
#include <sched.h>
#endif

namespace qwenrt {

namespace {

// How long an idle thread keeps polling before it sleeps. A forward pass issues its kernels a few
// microseconds apart, so this keeps workers awake through a whole pass, while a pool left alone goes
// quiet quickly (which matters on a 2-core CI machine running several test binaries at once).
constexpr std::chrono::microseconds kSpinTime{50};

// The pool whose job the current thread is running, so that a nested call can run inline instead of
// waiting for workers that are busy with the outer call.
thread_local const ThreadPool* t_active_pool = nullptr;

class ActivePoolScope {
 public:
  explicit ActivePoolScope(const ThreadPool* pool) : saved_(t_active_pool) { t_active_pool = pool; }
  ~ActivePoolScope() { t_active_pool = saved_; }
  ActivePoolScope(const ActivePoolScope&) = delete;
  ActivePoolScope& operator=(const ActivePoolScope&) = delete;

 private:
  const ThreadPool* saved_;
};

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Polls done() for up to kSpinTime; true once it holds.
template <typename Done>
bool spin_until(Done done) {
  const auto deadline = std::chrono::steady_clock::now() + kSpinTime;
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (done()) return true;
      cpu_relax();
    }
    if (std::chrono::steady_clock::now() >= deadline) return done();
  }
}

}  // namespace

std::size_t available_cpu_count() {
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int count = CPU_COUNT(&set);
    if (count > 0) return static_cast<std::size_t>(count);
  }
#endif
  return std::max(1u, std::thread::hardware_concurrency());
}

ThreadPool::ThreadPool(std::size_t threads) {
  if (threads == 0) threads = available_cpu_count();
  workers_.reserve(threads - 1);
  try {
    for (std::size_t i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_loop(); });
  } catch (const std::system_error& e) {
    stop_workers();
    fail("cannot start ", threads, " worker threads: ", e.what());
  }
}

ThreadPool::~ThreadPool() { stop_workers(); }

void ThreadPool::stop_workers() {
  stopping_.store(true, std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  generation_.notify_all();
  for (auto& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
  workers_.clear();
}

void ThreadPool::run(std::size_t n, std::size_t grain, RangeFn fn, void* context) {
  if (n == 0) return;
  Job job;
  job.fn = fn;
  job.context = context;
  job.n = n;
  job.grain = grain;
  job.chunks = grain == 0 ? std::min(n, size()) : (n - 1) / grain + 1;
  if (job.chunks == 1 || workers_.empty() || t_active_pool == this) {
    run_inline(job);
    return;
  }

  std::lock_guard<std::mutex> dispatch(dispatch_mutex_);
  job_ = job;
  next_chunk_.store(0, std::memory_order_relaxed);
  failed_.store(false, std::memory_order_relaxed);
  error_ = nullptr;
  busy_workers_.store(static_cast<std::uint32_t>(workers_.size()), std::memory_order_relaxed);
  // The release half publishes job_ to the workers, which read it after seeing the new generation.
  generation_.fetch_add(1, std::memory_order_acq_rel);
  generation_.notify_all();

  {
    ActivePoolScope scope(this);
    work_on_chunks();
  }

  const auto all_done = [this] { return busy_workers_.load(std::memory_order_acquire) == 0; };
  if (!spin_until(all_done)) {
    for (std::uint32_t busy; (busy = busy_workers_.load(std::memory_order_acquire)) != 0;) {
      busy_workers_.wait(busy, std::memory_order_acquire);
    }
  }
  if (error_) std::rethrow_exception(error_);
}

void ThreadPool::run_inline(const Job& job) {
  ActivePoolScope scope(this);
  if (job.grain == 0) {
    job.fn(job.context, 0, job.n);
    return;
  }
  for (std::size_t begin = 0; begin < job.n; begin += job.grain) {
    job.fn(job.context, begin, std::min(job.n, begin + job.grain));
  }
}

void ThreadPool::work_on_chunks() {
  const Job& job = job_;
  for (;;) {
    const std::size_t chunk = next_chunk_.fetch_add(1, std::memory_order_relaxed);
    if (chunk >= job.chunks || failed_.load(std::memory_order_relaxed)) return;
    std::size_t begin;
    std::size_t end;
    if (job.grain == 0) {
      // Even split: the first n % chunks ranges get one extra index.
      const std::size_t base = job.n / job.chunks;
      const std::size_t extra = job.n % job.chunks;
      begin = chunk * base + std::min(chunk, extra);
      end = begin + base + (chunk < extra ? 1 : 0);
    } else {
      begin = chunk * job.grain;
      end = std::min(job.n, begin + job.grain);
    }
    try {
      job.fn(job.context, begin, end);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex_);
      if (!error_) error_ = std::current_exception();
      failed_.store(true, std::memory_order_relaxed);
    }
  }
}

void ThreadPool::worker_loop() {
  t_active_pool = this;
  // Jobs cannot overlap (the caller waits for every worker), so each generation is seen exactly once.
  std::uint32_t seen = 0;
  for (;;) {
    const auto job_posted = [&] { return generation_.load(std::memory_order_acquire) != seen; };
    if (!spin_until(job_posted)) {
      while (generation_.load(std::memory_order_acquire) == seen) {
        generation_.wait(seen, std::memory_order_acquire);
      }
    }
    seen = generation_.load(std::memory_order_acquire);
    if (stopping_.load(std::memory_order_acquire)) return;
    work_on_chunks();
    if (busy_workers_.fetch_sub(1, std::memory_order_acq_rel) == 1) busy_workers_.notify_one();
  }
}

}  // namespace qwenrt
