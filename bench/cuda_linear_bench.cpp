// Speed of the CUDA linear layers for decoding on the weights of a Qwen2.5-7B-shaped model, stored as
// bf16: for a few rows of x (m = 1, 2, 4, 8: the batch of a decode step), GB/s of weights streamed by
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

#include "core/dtype.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/device_bandwidth.h"
#include "kernels/cuda/device_buffer.h"
#include "kernels/cuda/gemm.h"

namespace {

using qwenrt::cuda::DeviceBuffer;
using qwenrt::cuda::Gemm;
using qwenrt::cuda::GemmOutput;

struct MatrixShape {
  const char* name;
  std::size_t rows;
  std::size_t cols;
};

constexpr MatrixShape kShapes[] = {
    {"qkv", 4608, 3584}, {"o_proj", 3584, 3584}, {"gate_up", 37888, 3584}, {"down", 3584, 18944}, {"lm_head", 152064, 3584},
};
constexpr std::size_t kSweepBytes = std::size_t{512} << 20;
constexpr int kRuns = 7;

DeviceBuffer<__nv_bfloat16> random_bf16(std::mt19937& rng, std::size_t count) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<std::uint16_t> bits(count);
  for (auto& b : bits) b = qwenrt::float_to_bf16(dist(rng));
  DeviceBuffer<__nv_bfloat16> buffer(count);
  QWENRT_CUDA_CHECK(cudaMemcpy(buffer.data(), bits.data(), count * 2, cudaMemcpyHostToDevice));
  return buffer;
}

// Median seconds of one sweep of fn over every copy.
template <typename Fn>
double median_sweep_seconds(std::size_t copies, Fn&& fn) {
  cudaEvent_t start, stop;
  QWENRT_CUDA_CHECK(cudaEventCreate(&start));
  QWENRT_CUDA_CHECK(cudaEventCreate(&stop));
  for (std::size_t c = 0; c < copies; ++c) fn(c);  // warm-up: algorithm choice, clocks
  std::vector<double> times;
  for (int r = 0; r < kRuns; ++r) {
    QWENRT_CUDA_CHECK(cudaEventRecord(start));
    for (std::size_t c = 0; c < copies; ++c) fn(c);
    QWENRT_CUDA_CHECK(cudaEventRecord(stop));
    QWENRT_CUDA_CHECK(cudaEventSynchronize(stop));
    float ms = 0;
    QWENRT_CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
    times.push_back(ms * 1e-3);
  }
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
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
    for (const MatrixShape& shape : kShapes) {
      const std::size_t bytes = shape.rows * shape.cols * 2;
      const std::size_t copies = std::max<std::size_t>(2, (kSweepBytes + bytes - 1) / bytes);
      std::vector<DeviceBuffer<__nv_bfloat16>> weights;
      for (std::size_t c = 0; c < copies; ++c) weights.push_back(random_bf16(rng, shape.rows * shape.cols));
      for (const std::size_t m : {1u, 2u, 3u, 4u, 6u, 8u}) {
        const DeviceBuffer<__nv_bfloat16> x = random_bf16(rng, m * shape.cols);
        DeviceBuffer<float> y(m * shape.rows);
        const double small = median_sweep_seconds(copies, [&](std::size_t c) {
          gemm.linear(nullptr, x.data(), m, weights[c].data(), shape.rows, shape.cols, GemmOutput::kF32, y.data());
        });
        const double library = median_sweep_seconds(copies, [&](std::size_t c) {
          gemm.cublaslt_linear(nullptr, x.data(), m, weights[c].data(), shape.rows, shape.cols, GemmOutput::kF32, y.data());
        });
        const double moved = static_cast<double>(bytes * copies);
        std::cout << std::left << std::setw(9) << shape.name << std::right << std::setw(2) << m << std::fixed
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
