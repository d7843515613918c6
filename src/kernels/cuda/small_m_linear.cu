#include <cstdint>

#include "core/error.h"
#include "kernels/cuda/block_reduce.cuh"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/dependent_launch.cuh"
#include "kernels/cuda/small_m_linear.h"

namespace qwenrt::cuda {
namespace {

constexpr int kWarps = 4;
// 16-byte loads of W in flight per lane and row. Measured on an H200 (Qwen2.5-7B's matrices, one
// row of x): 8 with the last partial pass predicated made the narrow matrices 15-35% slower.
constexpr int kUnroll = 4;
// Wide matrices give each warp two rows, so that each load of x serves both; narrower ones one, so
// that there are enough blocks to spread evenly over the multiprocessors.
constexpr std::size_t kTwoRowsFrom = 16384;

// Streams W past the L1 cache (it is read once), where x stays (every warp reads all of it).
__device__ __forceinline__ uint4 load_streaming(const __nv_bfloat16* p) {
  uint4 v;
  asm volatile("ld.global.nc.L1::no_allocate.v4.u32 {%0, %1, %2, %3}, [%4];"
               : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
               : "l"(p));
  return v;
}

__device__ __forceinline__ void prefetch_to_l2(const void* p) {
  asm volatile("prefetch.global.L2 [%0];" ::"l"(p));
}

__device__ __forceinline__ float dot8(const uint4& a, const uint4& b) {
  const auto* pa = reinterpret_cast<const __nv_bfloat162*>(&a);
  const auto* pb = reinterpret_cast<const __nv_bfloat162*>(&b);
  float sum = 0.0f;
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const float2 fa = __bfloat1622float2(pa[i]);
    const float2 fb = __bfloat1622float2(pb[i]);
    sum = fmaf(fa.x, fb.x, sum);
    sum = fmaf(fa.y, fb.y, sum);
  }
  return sum;
}

// How the kernel stores its results: y[i, row] as float or bf16, added to the float already there,
// or, for SwiGLU, rows 2j and 2j + 1 of W (the gate and up projections interleaved) combined into
// y[i, j] = silu(gate) * up in bf16.
enum class Store { kF32, kBF16, kF32Accumulate, kSwiGlu };

template <int M, int kRowsPerWarp, Store kStore>
__global__ void __launch_bounds__(kWarps * 32) small_m_kernel(const __nv_bfloat16* __restrict__ x,
                                                              const __nv_bfloat16* __restrict__ w,
                                                              std::size_t out_features, std::size_t in_features,
                                                              void* __restrict__ y) {
  const int lane = threadIdx.x % 32;
  const std::size_t first_row =
      (static_cast<std::size_t>(blockIdx.x) * kWarps + threadIdx.x / 32) * kRowsPerWarp;
  if (first_row >= out_features) return;
  const std::size_t vectors = in_features / 8;  // 16-byte pieces per row
  const uint4* x_vectors = reinterpret_cast<const uint4*>(x);
  const __nv_bfloat16* rows[kRowsPerWarp];
#pragma unroll
  for (int r = 0; r < kRowsPerWarp; ++r) {
    // A missing last row rereads the first: its result is simply not stored.
    const std::size_t row = first_row + r < out_features ? first_row + r : first_row;
    rows[r] = w + row * in_features;
  }
  // The weights are no kernel's output, so their first pieces head for L2 while the kernel before
  // (which makes x) is still running; x and y are touched only after it has finished.
#pragma unroll
  for (int r = 0; r < kRowsPerWarp; ++r) {
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      if (lane + 32 * u < vectors) prefetch_to_l2(rows[r] + (lane + 32 * u) * 8);
    }
  }
  detail::wait_for_prior_kernels();
  detail::allow_dependent_kernels();

  float acc[kRowsPerWarp][M] = {};
  std::size_t v = lane;
  for (; v + 32 * (kUnroll - 1) < vectors; v += 32 * kUnroll) {
    uint4 wv[kRowsPerWarp][kUnroll];
#pragma unroll
    for (int r = 0; r < kRowsPerWarp; ++r) {
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) wv[r][u] = load_streaming(rows[r] + (v + 32 * u) * 8);
    }
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
#pragma unroll
      for (int i = 0; i < M; ++i) {
        const uint4 xv = __ldg(x_vectors + i * vectors + v + 32 * u);
#pragma unroll
        for (int r = 0; r < kRowsPerWarp; ++r) acc[r][i] += dot8(wv[r][u], xv);
      }
    }
  }
  for (; v < vectors; v += 32) {
    uint4 wv[kRowsPerWarp];
#pragma unroll
    for (int r = 0; r < kRowsPerWarp; ++r) wv[r] = load_streaming(rows[r] + v * 8);
#pragma unroll
    for (int i = 0; i < M; ++i) {
      const uint4 xv = __ldg(x_vectors + i * vectors + v);
#pragma unroll
      for (int r = 0; r < kRowsPerWarp; ++r) acc[r][i] += dot8(wv[r], xv);
    }
  }

#pragma unroll
  for (int r = 0; r < kRowsPerWarp; ++r) {
#pragma unroll
    for (int i = 0; i < M; ++i) acc[r][i] = detail::warp_sum(acc[r][i]);
  }
  if (lane != 0) return;
  if constexpr (kStore == Store::kSwiGlu) {
    static_assert(kRowsPerWarp == 2, "SwiGLU pairs a gate row with its up row in one warp");
#pragma unroll
    for (int i = 0; i < M; ++i) {
      const float gate = acc[0][i], up = acc[1][i];
      static_cast<__nv_bfloat16*>(y)[i * (out_features / 2) + first_row / 2] =
          __float2bfloat16(gate / (1.0f + expf(-gate)) * up);
    }
  } else {
#pragma unroll
    for (int r = 0; r < kRowsPerWarp; ++r) {
      const std::size_t row = first_row + r;
      if (row >= out_features) break;
#pragma unroll
      for (int i = 0; i < M; ++i) {
        if constexpr (kStore == Store::kF32) {
          static_cast<float*>(y)[i * out_features + row] = acc[r][i];
        } else if constexpr (kStore == Store::kF32Accumulate) {
          static_cast<float*>(y)[i * out_features + row] += acc[r][i];
        } else {
          static_cast<__nv_bfloat16*>(y)[i * out_features + row] = __float2bfloat16(acc[r][i]);
        }
      }
    }
  }
}

template <int M, int kRowsPerWarp, Store kStore>
void launch_rows(cudaStream_t stream, const __nv_bfloat16* x, const __nv_bfloat16* w, std::size_t out_features,
                 std::size_t in_features, void* y) {
  const std::size_t rows_per_block = kWarps * kRowsPerWarp;
  const auto blocks = static_cast<unsigned>((out_features + rows_per_block - 1) / rows_per_block);
  detail::launch_dependent("small_m_kernel", small_m_kernel<M, kRowsPerWarp, kStore>, blocks, kWarps * 32, 0, stream, x,
                           w, out_features, in_features, y);
}

template <int M, Store kStore>
void launch_store(cudaStream_t stream, const __nv_bfloat16* x, const __nv_bfloat16* w, std::size_t out_features,
                  std::size_t in_features, void* y) {
  if (out_features >= kTwoRowsFrom) {
    launch_rows<M, 2, kStore>(stream, x, w, out_features, in_features, y);
  } else {
    launch_rows<M, 1, kStore>(stream, x, w, out_features, in_features, y);
  }
}

template <int M>
void launch(cudaStream_t stream, const __nv_bfloat16* x, const __nv_bfloat16* w, std::size_t out_features,
            std::size_t in_features, GemmOutput output, void* y) {
  switch (output) {
    case GemmOutput::kF32: return launch_store<M, Store::kF32>(stream, x, w, out_features, in_features, y);
    case GemmOutput::kF32Accumulate:
      return launch_store<M, Store::kF32Accumulate>(stream, x, w, out_features, in_features, y);
    case GemmOutput::kBF16: return launch_store<M, Store::kBF16>(stream, x, w, out_features, in_features, y);
  }
}

bool aligned16(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % 16 == 0; }

}  // namespace

bool small_m_linear_applies(const __nv_bfloat16* x, std::size_t m, const __nv_bfloat16* w, std::size_t in_features) {
  return m >= 1 && m <= kSmallMaxRows && in_features % 8 == 0 && aligned16(x) && aligned16(w);
}

namespace {

void check_applies(const char* name, const __nv_bfloat16* x, std::size_t m, const __nv_bfloat16* w,
                   std::size_t out_features, std::size_t in_features) {
  if (!small_m_linear_applies(x, m, w, in_features) || out_features == 0) {
    fail(name, ": ", m, " rows of ", in_features, " (need 1..", kSmallMaxRows,
         " rows, a multiple of 8 wide, 16-byte aligned) by ", out_features, " outputs");
  }
}

}  // namespace

void small_m_swiglu(cudaStream_t stream, const __nv_bfloat16* x, std::size_t m, const __nv_bfloat16* w,
                    std::size_t width, std::size_t in_features, __nv_bfloat16* y) {
  check_applies("small_m_swiglu", x, m, w, 2 * width, in_features);
  switch (m) {
    case 1: return launch_rows<1, 2, Store::kSwiGlu>(stream, x, w, 2 * width, in_features, y);
    case 2: return launch_rows<2, 2, Store::kSwiGlu>(stream, x, w, 2 * width, in_features, y);
    case 3: return launch_rows<3, 2, Store::kSwiGlu>(stream, x, w, 2 * width, in_features, y);
    default: return launch_rows<4, 2, Store::kSwiGlu>(stream, x, w, 2 * width, in_features, y);
  }
}

void small_m_linear(cudaStream_t stream, const __nv_bfloat16* x, std::size_t m, const __nv_bfloat16* w,
                    std::size_t out_features, std::size_t in_features, GemmOutput output, void* y) {
  check_applies("small_m_linear", x, m, w, out_features, in_features);
  switch (m) {
    case 1: return launch<1>(stream, x, w, out_features, in_features, output, y);
    case 2: return launch<2>(stream, x, w, out_features, in_features, output, y);
    case 3: return launch<3>(stream, x, w, out_features, in_features, output, y);
    default: return launch<4>(stream, x, w, out_features, in_features, output, y);
  }
}

}  // namespace qwenrt::cuda
