#include "core/memory_bandwidth.h"

#include <chrono>
#include <cstring>
#include <memory>

namespace qwenrt {

double measure_copy_bandwidth(ThreadPool& pool, std::size_t buffer_bytes, int repeats) {
  const std::unique_ptr<char[]> src(new char[buffer_bytes]);
  const std::unique_ptr<char[]> dst(new char[buffer_bytes]);
  // Touch every page first (in parallel, as the copy will) so page faults stay out of the timing.
  pool.parallel_for(buffer_bytes, [&](std::size_t begin, std::size_t end) {
    std::memset(src.get() + begin, 1, end - begin);
    std::memset(dst.get() + begin, 0, end - begin);
  });
  double best = 0;
  for (int pass = 0; pass <= repeats; ++pass) {
    const auto start = std::chrono::steady_clock::now();
    pool.parallel_for(buffer_bytes, [&](std::size_t begin, std::size_t end) {
      std::memcpy(dst.get() + begin, src.get() + begin, end - begin);
    });
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (pass > 0) best = std::max(best, 2.0 * static_cast<double>(buffer_bytes) / seconds);
  }
  return best;
}

}  // namespace qwenrt
