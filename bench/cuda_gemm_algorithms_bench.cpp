// How good cuBLASLt's first choice of algorithm is for the products of a Qwen2.5-7B layer (qkv, o_proj,
// gate/up, down, with the outputs the engine asks for) at 64 to 16,384 rows of x: every algorithm its
// heuristic offers (up to 8) is timed on the same random inputs, and the table gives the first one's
// time, the best one's and how much faster the best is. Decides whether timing the candidates once per
// shape (instead of taking the heuristic's first) would pay.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <random>
#include <span>
#include <vector>

#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/device_buffer.h"
#include "kernels/cuda/gemm.h"
#include "cuda_bench_inputs.h"

namespace {

namespace bench = qwenrt::bench;
namespace cuda = qwenrt::cuda;

constexpr std::size_t kRows[] = {64, 128, 256, 384, 512, 768, 1024, 2048, 4096, 8192, 16384};
constexpr int kCandidates = 8;


}  // namespace

int main() {
  try {
    std::mt19937 rng(1);
    cuda::Gemm gemm;
    const std::size_t max_rows = kRows[std::size(kRows) - 1];
    const cuda::DeviceBuffer<__nv_bfloat16> x = bench::random_bf16_on_device(rng, max_rows * 18944);
    cuda::DeviceBuffer<float> y(max_rows * 37888);
    QWENRT_CUDA_CHECK(cudaMemset(y.data(), 0, y.bytes()));
    std::printf("product      rows  algorithms  first (us)  TFLOP/s  best (us)  TFLOP/s  best is faster by\n");
    double first_total = 0.0, best_total = 0.0;
    // The products of a layer: the LM head runs once per step on the last rows only.
    for (const bench::LayerMatrix& p : std::span(bench::kQwen7bMatrices).first(4)) {
      const cuda::DeviceBuffer<__nv_bfloat16> w = bench::random_bf16_on_device(rng, p.out_features * p.in_features);
      for (const std::size_t m : kRows) {
        const int repetitions = m >= 4096 ? 5 : 20;
        const std::vector<double> seconds = gemm.time_cublaslt_candidates(
            x.data(), m, w.data(), p.out_features, p.in_features, p.output, y.data(), kCandidates, repetitions);
        const double first = seconds.front(), best = *std::min_element(seconds.begin(), seconds.end());
        const double flop = 2.0 * static_cast<double>(m * p.out_features * p.in_features);
        std::printf("%-9s %7zu %11zu %11.1f %8.0f %10.1f %8.0f %17.1f%%\n", p.name, m, seconds.size(), first * 1e6,
                    flop / first / 1e12, best * 1e6, flop / best / 1e12, 100.0 * (first / best - 1.0));
        first_total += first;
        best_total += best;
      }
    }
    std::printf("all shapes: first choices %.0f us, best %.0f us (%.1f%% faster)\n", first_total * 1e6,
                best_total * 1e6, 100.0 * (first_total / best_total - 1.0));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "qwenrt_cuda_gemm_algorithms_bench: %s\n", e.what());
    return 1;
  }
}
