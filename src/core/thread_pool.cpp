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

// Waits until value differs from unwanted, spinning first, then sleeping; returns the new value.
std::uint32_t wait_while_equal(const std::atomic<std::uint32_t>& value, std::uint32_t unwanted) {
  std::uint32_t current = unwanted;
  const auto changed = [&] { return (current = value.load(std::memory_order_acquire)) != unwanted; };
  if (spin_until(changed)) return current;
  while (!changed()) value.wait(unwanted, std::memory_order_acquire);
  return current;
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
  std::lock_guard<std::mutex> dispatch(dispatch_mutex_);
  stopping_.store(true, std::memory_order_seq_cst);
  // An even generation the workers have not seen: each enters, sees stopping_ and returns.
  generation_.fetch_add(2, std::memory_order_seq_cst);
  generation_.notify_all();
  for (auto& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
  workers_.clear();
}

void ThreadPool::close_and_drain(std::uint32_t generation) {
  // Odd: late workers back off. seq_cst here and in worker_loop: either a worker sees the odd value,
  // or this thread sees the worker in entered_ and waits for it to leave.
  generation_.store(generation + 1, std::memory_order_seq_cst);
  for (std::uint32_t inside; (inside = entered_.load(std::memory_order_seq_cst)) != 0;) {
    if (!spin_until([&] { return entered_.load(std::memory_order_seq_cst) != inside; })) {
      entered_.wait(inside, std::memory_order_seq_cst);
    }
  }
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
  const std::uint32_t previous = generation_.load(std::memory_order_relaxed);
  close_and_drain(previous);
  job_ = job;
  next_chunk_.store(0, std::memory_order_relaxed);
  chunks_done_.store(0, std::memory_order_relaxed);
  failed_.store(false, std::memory_order_relaxed);
  error_ = nullptr;
  const std::uint32_t generation = previous + 2;
  generation_.store(generation, std::memory_order_seq_cst);  // publishes the job
  generation_.notify_all();

  {
    ActivePoolScope scope(this);
    work_on_chunks();
  }
  const auto all_done = [&] { return finished_.load(std::memory_order_acquire) == generation; };
  if (!spin_until(all_done)) {
    for (std::uint32_t last; (last = finished_.load(std::memory_order_acquire)) != generation;) {
      finished_.wait(last, std::memory_order_acquire);
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
    if (chunk >= job.chunks) return;
    if (!failed_.load(std::memory_order_relaxed)) {
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
    // A skipped chunk counts as done too. The acq_rel chain hands every chunk's writes to whoever
    // completes the last one, and its release store to the waiting caller.
    if (chunks_done_.fetch_add(1, std::memory_order_acq_rel) + 1 == job.chunks) {
      finished_.store(generation_.load(std::memory_order_relaxed), std::memory_order_release);
      finished_.notify_one();
    }
  }
}

void ThreadPool::worker_loop() {
  t_active_pool = this;
  std::uint32_t seen = 0;  // the generation this worker last took part in (or passed over)
  for (;;) {
    std::uint32_t generation = wait_while_equal(generation_, seen);
    if (generation % 2 != 0) {  // the caller is replacing the job: wait for the new one
      seen = generation;
      continue;
    }
    entered_.fetch_add(1, std::memory_order_seq_cst);
    if (generation_.load(std::memory_order_seq_cst) == generation) {
      seen = generation;
      if (stopping_.load(std::memory_order_acquire)) {
        entered_.fetch_sub(1, std::memory_order_seq_cst);
        return;
      }
      work_on_chunks();
    }
    if (entered_.fetch_sub(1, std::memory_order_seq_cst) == 1) entered_.notify_all();
  }
}

}  // namespace qwenrt
