// The GPU's memory copy rate, measured: the denominator of the "fraction of the bandwidth bound" that
// `qwenrt bench latency --device cuda` reports, as core/memory_bandwidth.h is for the CPU. No CUDA
// headers here: without the toolkit the function throws.
#pragma once

#include <cstddef>

namespace qwenrt::cuda {

// Bytes per second moved by device-to-device copies of a buffer much larger than the L2 cache,
// counting bytes read plus bytes written; the best of `repeats` timed copies after a warm-up copy.
// Throws Error when the device or the memory cannot be had.
double measure_device_copy_bandwidth(int device, std::size_t buffer_bytes = std::size_t{1} << 30, int repeats = 5);

}  // namespace qwenrt::cuda
