// Speed of the CUDA linear layers for decoding on the weights of a Qwen2.5-7B-shaped model, stored as
// bf16: for a few rows of x (m = 1, 2, 3, 4, 6, 8: the batch of a decode step), GB/s of weights streamed by
// qwenrt's small-m kernel and by cuBLASLt on the same matrices, next to the device's copy rate measured
// in the same run (bytes read plus written per second). Each timing sweeps over enough copies of the
// matrix (512 MB or more) that no run finds its weights in the 50 MB L2 cache. Prints a table.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <random>
#include <vector>

#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/device_bandwidth.h"
#include "kernels/cuda/device_buffer.h"
#include "kernels/cuda/event_timer.h"
#include "kernels/cuda/gemm.h"
#include "cuda_bench_inputs.h"

namespace {

using qwenrt::bench::kQwen7bMatrices;
using qwenrt::bench::LayerMatrix;
using qwenrt::bench::random_bf16_on_device;
using qwenrt::cuda::DeviceBuffer;
using qwenrt::cuda::Gemm;
using qwenrt::cuda::GemmOutput;

constexpr std::size_t kSweepBytes = std::size_t{512} << 20;
constexpr int kRuns = 7;


// Median seconds of one sweep of fn over every copy.
template <typename Fn>
double median_sweep_seconds(std::size_t copies, Fn&& fn) {
  for (std::size_t c = 0; c < copies; ++c) fn(c);  // warm-up: algorithm choice, clocks
  qwenrt::cuda::EventTimer timer;
  std::vector<double> times;
  for (int r = 0; r < kRuns; ++r) {
    times.push_back(timer.seconds([&] {
      for (std::size_t c = 0; c < copies; ++c) fn(c);
    }));
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main() {
  try {
    const double copy_rate = qwenrt::cuda::measure_device_copy_bandwidth(0);
    std::cout << "device copy rate " << copy_rate / 1e9 << " GB/s (read + write)\n"
              << "matrix    m  small-m GB/s  cuBLASLt GB/s  small-m/copy  small-m/cuBLASLt\n";
    std::mt19937 rng(1);
    Gemm gemm;
    for (const LayerMatrix& matrix : kQwen7bMatrices) {
      const std::size_t rows = matrix.out_features, cols = matrix.in_features, bytes = rows * cols * 2;
      const std::size_t copies = std::max<std::size_t>(2, (kSweepBytes + bytes - 1) / bytes);
      std::vector<DeviceBuffer<__nv_bfloat16>> weights;
      for (std::size_t c = 0; c < copies; ++c) weights.push_back(random_bf16_on_device(rng, rows * cols));
      for (const std::size_t m : {1u, 2u, 3u, 4u, 6u, 8u}) {
        const DeviceBuffer<__nv_bfloat16> x = random_bf16_on_device(rng, m * cols);
        DeviceBuffer<float> y(m * rows);
        const double small = median_sweep_seconds(copies, [&](std::size_t c) {
          gemm.linear(nullptr, x.data(), m, weights[c].data(), rows, cols, GemmOutput::kF32, y.data());
        });
        const double library = median_sweep_seconds(copies, [&](std::size_t c) {
          gemm.cublaslt_linear(nullptr, x.data(), m, weights[c].data(), rows, cols, GemmOutput::kF32, y.data());
        });
        const double moved = static_cast<double>(bytes * copies);
        std::cout << std::left << std::setw(9) << matrix.name << std::right << std::setw(2) << m << std::fixed
                  << std::setprecision(0) << std::setw(14) << moved / small / 1e9 << std::setw(15)
                  << moved / library / 1e9 << std::setprecision(3) << std::setw(14) << moved / small / copy_rate
                  << std::setw(18) << library / small << "\n";
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "qwenrt_cuda_linear_bench: " << e.what() << "\n";
    return 1;
  }
}
