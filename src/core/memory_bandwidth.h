// The machine's memory copy rate, measured: the denominator of every "fraction of the bandwidth
// bound" qwenrt reports for memory-bound decoding.
#pragma once

#include <cstddef>

#include "core/thread_pool.h"

namespace qwenrt {

// Bytes per second moved by copying a buffer much larger than the caches, counting bytes read plus
// bytes written, with the pool's threads each copying a slice (as the kernels stream weights). The
// best of `repeats` passes after a warm-up pass.
double measure_copy_bandwidth(ThreadPool& pool, std::size_t buffer_bytes = std::size_t{1} << 30, int repeats = 5);

}  // namespace qwenrt
