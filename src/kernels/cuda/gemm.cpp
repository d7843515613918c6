#include "kernels/cuda/gemm.h"

#include <cstdint>
#include <vector>

#include "core/error.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/event_timer.h"
#include "kernels/cuda/small_m_linear.h"

namespace qwenrt::cuda {
namespace {

// Enough for the split-K and stream-K algorithms cuBLASLt prefers for thin (decode) products.
constexpr std::size_t kWorkspaceBytes = std::size_t{32} << 20;

unsigned alignment_of(const void* p) {
  const auto address = reinterpret_cast<std::uintptr_t>(p);
  unsigned alignment = 256;
  while (alignment > 1 && address % alignment != 0) alignment /= 2;
  return alignment;
}

}  // namespace

// cuBLASLt works on column-major matrices. A row-major [rows, cols] matrix is the column-major
// [cols, rows] matrix of its transpose, so y = x W^T (row-major) is y^T = W x^T (column-major) with
// A = W read transposed (its column-major view is W^T, k x out) and B = x^T (k x m): the "TN" product,
// the layout cuBLASLt's fastest kernels are written for.
struct Gemm::Plan {
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, d = nullptr;
  cublasLtMatmulAlgo_t algo{};

  Plan() = default;
  // Up to count algorithms for the product, best first by cuBLASLt's heuristic. Throws Error if none.
  std::vector<cublasLtMatmulAlgo_t> candidates(cublasLtHandle_t handle, const PlanKey& key, std::size_t workspace_bytes,
                                               int count) const;
  Plan(const Plan&) = delete;
  Plan& operator=(const Plan&) = delete;
  ~Plan() {
    if (d) cublasLtMatrixLayoutDestroy(d);
    if (b) cublasLtMatrixLayoutDestroy(b);
    if (a) cublasLtMatrixLayoutDestroy(a);
    if (desc) cublasLtMatmulDescDestroy(desc);
  }
};

Gemm::Gemm() : workspace_(kWorkspaceBytes) { QWENRT_CUBLAS_CHECK(cublasLtCreate(&handle_)); }

Gemm::~Gemm() {
  plans_.clear();
  if (handle_) cublasLtDestroy(handle_);
}

std::vector<cublasLtMatmulAlgo_t> Gemm::Plan::candidates(cublasLtHandle_t handle, const PlanKey& key,
                                                        std::size_t workspace_bytes, int count) const {
  const auto [m, n_out, k, output, align_x, align_w, align_y] = key;
  cublasLtMatmulPreference_t preference = nullptr;
  QWENRT_CUBLAS_CHECK(cublasLtMatmulPreferenceCreate(&preference));
  const std::uint64_t workspace = workspace_bytes;
  const std::uint32_t alignments[] = {align_w, align_x, align_y, align_y};
  const cublasLtMatmulPreferenceAttributes_t alignment_attributes[] = {
      CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES,
      CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES};
  cublasStatus_t status = cublasLtMatmulPreferenceSetAttribute(
      preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace, sizeof(workspace));
  for (int i = 0; i < 4 && status == CUBLAS_STATUS_SUCCESS; ++i) {
    status = cublasLtMatmulPreferenceSetAttribute(preference, alignment_attributes[i], &alignments[i],
                                                  sizeof(alignments[i]));
  }
  std::vector<cublasLtMatmulHeuristicResult_t> results(static_cast<std::size_t>(count));
  int found = 0;
  if (status == CUBLAS_STATUS_SUCCESS) {
    status = cublasLtMatmulAlgoGetHeuristic(handle, desc, a, b, d, d, preference, count, results.data(), &found);
  }
  cublasLtMatmulPreferenceDestroy(preference);
  QWENRT_CUBLAS_CHECK(status);
  if (found == 0) fail("cuBLASLt has no algorithm for a ", m, " x ", k, " by ", k, " x ", n_out, " bf16 product");
  std::vector<cublasLtMatmulAlgo_t> algos;
  for (int i = 0; i < found; ++i) algos.push_back(results[static_cast<std::size_t>(i)].algo);
  return algos;
}

Gemm::PlanKey Gemm::plan_key(const __nv_bfloat16* x, std::size_t m, const __nv_bfloat16* w, std::size_t out_features,
                             std::size_t in_features, GemmOutput output, const void* y) {
  if (m == 0 || out_features == 0 || in_features == 0) {
    fail("gemm: sizes m ", m, ", out_features ", out_features, ", in_features ", in_features, " must be positive");
  }
  return {m, out_features, in_features, output, alignment_of(x), alignment_of(w), alignment_of(y)};
}

const Gemm::Plan& Gemm::plan_for(const PlanKey& key) {
  if (auto it = plans_.find(key); it != plans_.end()) return it->second;
  const auto [m, n_out, k, output, align_x, align_w, align_y] = key;
  Plan& plan = plans_[key];
  try {
    const cudaDataType_t out_type = output == GemmOutput::kBF16 ? CUDA_R_16BF : CUDA_R_32F;
    QWENRT_CUBLAS_CHECK(cublasLtMatmulDescCreate(&plan.desc, CUBLAS_COMPUTE_32F, CUDA_R_32F));
    const cublasOperation_t transpose = CUBLAS_OP_T, keep = CUBLAS_OP_N;
    QWENRT_CUBLAS_CHECK(
        cublasLtMatmulDescSetAttribute(plan.desc, CUBLASLT_MATMUL_DESC_TRANSA, &transpose, sizeof(transpose)));
    QWENRT_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(plan.desc, CUBLASLT_MATMUL_DESC_TRANSB, &keep, sizeof(keep)));
    QWENRT_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&plan.a, CUDA_R_16BF, k, n_out, static_cast<int64_t>(k)));
    QWENRT_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&plan.b, CUDA_R_16BF, k, m, static_cast<int64_t>(k)));
    QWENRT_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&plan.d, out_type, n_out, m, static_cast<int64_t>(n_out)));
    plan.algo = plan.candidates(handle_, key, workspace_.bytes(), 1).front();
  } catch (...) {
    plans_.erase(key);
    throw;
  }
  return plan;
}

void Gemm::linear(cudaStream_t stream, const __nv_bfloat16* x, std::size_t m, const __nv_bfloat16* w,
                  std::size_t out_features, std::size_t in_features, GemmOutput output, void* y) {
  if (out_features > 0 && small_m_linear_applies(x, m, w, in_features)) {
    small_m_linear(stream, x, m, w, out_features, in_features, output, y);
    return;
  }
  cublaslt_linear(stream, x, m, w, out_features, in_features, output, y);
}

void Gemm::cublaslt_linear(cudaStream_t stream, const __nv_bfloat16* x, std::size_t m, const __nv_bfloat16* w,
                           std::size_t out_features, std::size_t in_features, GemmOutput output, void* y) {
  const Plan& plan = plan_for(plan_key(x, m, w, out_features, in_features, output, y));
  run(stream, plan, plan.algo, x, w, output, y);
}

void Gemm::run(cudaStream_t stream, const Plan& plan, const cublasLtMatmulAlgo_t& algo, const __nv_bfloat16* x,
               const __nv_bfloat16* w, GemmOutput output, void* y) {
  const float alpha = 1.0f, beta = output == GemmOutput::kF32Accumulate ? 1.0f : 0.0f;
  QWENRT_CUBLAS_CHECK(cublasLtMatmul(handle_, plan.desc, &alpha, w, plan.a, x, plan.b, &beta, y, plan.d, y, plan.d,
                                     &algo, workspace_.data(), workspace_.bytes(), stream));
}

std::vector<double> Gemm::time_cublaslt_candidates(const __nv_bfloat16* x, std::size_t m, const __nv_bfloat16* w,
                                                   std::size_t out_features, std::size_t in_features,
                                                   GemmOutput output, void* y, int count, int repetitions) {
  if (count < 1 || repetitions < 1) fail("gemm: count ", count, " and repetitions ", repetitions, " must be positive");
  const PlanKey key = plan_key(x, m, w, out_features, in_features, output, y);
  const Plan& plan = plan_for(key);
  EventTimer timer;
  std::vector<double> seconds;
  for (const cublasLtMatmulAlgo_t& algo : plan.candidates(handle_, key, workspace_.bytes(), count)) {
    run(nullptr, plan, algo, x, w, output, y);  // warm-up: the kernel's first launch loads it
    seconds.push_back(timer.seconds([&] {
                        for (int r = 0; r < repetitions; ++r) run(nullptr, plan, algo, x, w, output, y);
                      }) /
                      repetitions);
  }
  return seconds;
}

}  // namespace qwenrt::cuda
