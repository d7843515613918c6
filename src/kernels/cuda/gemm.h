// The linear layers on the GPU: y = x W^T with x and W in bf16, products summed in float, y in bf16 or
// float. W is row-major [out_features, in_features] exactly as checkpoints store it, so no weight is
// ever transposed or repacked. A few rows of x (decoding) go through small_m_linear.h, which streams W
// at close to the memory's speed; more rows through cuBLASLt.
#pragma once

#include <cublasLt.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstddef>
#include <map>
#include <tuple>
#include <vector>

#include "kernels/cuda/device_buffer.h"

namespace qwenrt::cuda {

// y in bf16, y in float, or y += the product in float (the residual add of the products that end an
// attention or MLP block, done in their epilogue instead of a pass of its own).
enum class GemmOutput { kBF16, kF32, kF32Accumulate };

class Gemm {
 public:
  // A cuBLASLt handle and workspace on the current device. Throws Error when either cannot be had.
  Gemm();
  ~Gemm();
  Gemm(const Gemm&) = delete;
  Gemm& operator=(const Gemm&) = delete;

  // y[i, j] = sum over kk of x[i, kk] * w[j, kk] (or y[i, j] += that sum for kF32Accumulate), for x
  // m x in_features and y m x out_features, both row-major, queued on stream. Throws Error for a zero
  // size or when cuBLASLt has no algorithm.
  void linear(cudaStream_t stream, const __nv_bfloat16* x, std::size_t m, const __nv_bfloat16* w,
              std::size_t out_features, std::size_t in_features, GemmOutput output, void* y);
  // The same through cuBLASLt whatever m: the peer the small-m kernel is measured against.
  void cublaslt_linear(cudaStream_t stream, const __nv_bfloat16* x, std::size_t m, const __nv_bfloat16* w,
                       std::size_t out_features, std::size_t in_features, GemmOutput output, void* y);
  // Seconds per product (the mean of repetitions after one warm-up) of each of the first count
  // algorithms cuBLASLt's heuristic offers for the product, in its order: the first is the one
  // cublaslt_linear runs. On the default stream, synchronising; y is overwritten (or added to, for
  // kF32Accumulate) 1 + repetitions times per algorithm. Throws Error as cublaslt_linear.
  std::vector<double> time_cublaslt_candidates(const __nv_bfloat16* x, std::size_t m, const __nv_bfloat16* w,
                                               std::size_t out_features, std::size_t in_features, GemmOutput output,
                                               void* y, int count, int repetitions);

 private:
  struct Plan;
  // Shape, output type and the pointers' alignments: the algorithm cuBLASLt picks depends on all of them.
  using PlanKey = std::tuple<std::size_t, std::size_t, std::size_t, GemmOutput, unsigned, unsigned, unsigned>;
  // The key of a product; throws Error for a zero size.
  static PlanKey plan_key(const __nv_bfloat16* x, std::size_t m, const __nv_bfloat16* w, std::size_t out_features,
                          std::size_t in_features, GemmOutput output, const void* y);
  const Plan& plan_for(const PlanKey& key);
  void run(cudaStream_t stream, const Plan& plan, const cublasLtMatmulAlgo_t& algo, const __nv_bfloat16* x,
           const __nv_bfloat16* w, GemmOutput output, void* y);

  cublasLtHandle_t handle_ = nullptr;
  DeviceBuffer<std::byte> workspace_;
  std::map<PlanKey, Plan> plans_;
};

}  // namespace qwenrt::cuda
