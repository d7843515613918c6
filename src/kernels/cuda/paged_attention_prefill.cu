#include <cmath>

#include "core/error.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/paged_attention_common.cuh"
#include "kernels/cuda/paged_attention_tiles.h"

namespace qwenrt::cuda {
namespace {

constexpr int kRows = static_cast<int>(kPrefillTileRows);  // (token, query head) rows per tile
constexpr int kKeys = 64;     // keys per step
constexpr int kThreads = 256;  // 16 x 16: thread (rg, cg) owns rows 4rg..4rg+3
constexpr int kScoreStride = kKeys + 1;  // padding spreads a column of the probability tile over banks

template <int D>
constexpr std::size_t prefill_shared_bytes() {
  // queries^T [D][kRows], keys^T [D][kKeys], values [kKeys][D + 4], probabilities [kRows][kScoreStride],
  // and each row's query position.
  return sizeof(float) * (D * kRows + D * kKeys + kKeys * (D + 4) + kRows * kScoreStride) + sizeof(int) * kRows;
}

// One block per (tile, KV head). Thread (rg, cg) computes the scores of rows 4rg.. against keys 4cg..
// of each step, keeps the running maxima of its rows (shared by the 16 threads of a row through
// shuffles) and its part of their sums, and accumulates output dimensions cg, cg + 16, ... of its rows.
// Queries and keys are stored transposed so that both operands of the score product are 16-byte
// shared-memory reads.
template <int D>
__global__ void __launch_bounds__(kThreads) prefill_kernel(AttentionArgs args, const std::int32_t* tiles,
                                                           float base_scale) {
  constexpr int kValueStride = D + 4;
  constexpr int kCols = D / 16;
  extern __shared__ float4 shared4[];
  float* queries_t = reinterpret_cast<float*>(shared4);
  float* keys_t = queries_t + D * kRows;
  float* values = keys_t + D * kKeys;
  float* probabilities = values + kKeys * kValueStride;
  int* row_positions = reinterpret_cast<int*>(probabilities + kRows * kScoreStride);

  const PagedKvView& cache = args.cache;
  const AttentionSequences& seqs = args.sequences;
  const int num_heads = static_cast<int>(args.num_heads);
  const int group = num_heads / static_cast<int>(cache.num_kv_heads);
  const int kv_head = blockIdx.y;
  const int sequence = tiles[2 * blockIdx.x];
  const int first_row = tiles[2 * blockIdx.x + 1];
  const int tokens = seqs.num_tokens[sequence];
  const int first_token = seqs.first_token[sequence];
  const int first_position = seqs.first_position[sequence];
  const std::int32_t* table = seqs.block_tables + seqs.block_table_offset[sequence];
  const int total_rows = tokens * group;
  const int tid = threadIdx.x;

  for (int i = tid; i < D * kRows; i += kThreads) {
    const int r = i % kRows, d = i / kRows;
    const int row = first_row + r;
    float value = 0.0f;
    if (row < total_rows) {
      const int t = row / group, g = row % group;
      const float scale = detail::query_scale(base_scale, seqs.query_scales, first_token + t);
      value = args.q[(static_cast<std::size_t>(first_token + t) * num_heads + kv_head * group + g) * D + d] * scale;
    }
    queries_t[d * kRows + r] = value;
  }
  for (int r = tid; r < kRows; r += kThreads) {
    const int row = first_row + r;
    row_positions[r] = row < total_rows ? first_position + row / group : -1;
  }
  const int last_row = min(first_row + kRows, total_rows) - 1;
  const int key_end = first_position + last_row / group + 1;
  __syncthreads();

  const int rg = tid / 16, cg = tid % 16;
  int positions[4];
  float running_max[4], sum[4], acc[4][kCols];
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    positions[i] = row_positions[4 * rg + i];
    running_max[i] = -INFINITY;
    sum[i] = 0.0f;
#pragma unroll
    for (int j = 0; j < kCols; ++j) acc[i][j] = 0.0f;
  }

  for (int key_base = 0; key_base < key_end; key_base += kKeys) {
    __syncthreads();  // the previous step's keys, values and probabilities have been read
    for (int i = tid; i < kKeys * (D / 8); i += kThreads) {
      const int c = i % kKeys, dc = (i / kKeys) * 8;
      const int position = key_base + c;
      float k[8], v[8];
      if (position < key_end) {
        const std::size_t offset = detail::cache_offset(cache, table, position, kv_head) + dc;
        detail::load_bf16x8(cache.keys + offset, k);
        detail::load_bf16x8(cache.values + offset, v);
      } else {
#pragma unroll
        for (int e = 0; e < 8; ++e) k[e] = v[e] = 0.0f;  // zeros, not stale memory: 0 * NaN would poison a row
      }
#pragma unroll
      for (int e = 0; e < 8; ++e) {
        keys_t[(dc + e) * kKeys + c] = k[e];
        values[c * kValueStride + dc + e] = v[e];
      }
    }
    __syncthreads();

    float s[4][4] = {};
#pragma unroll 8
    for (int d = 0; d < D; ++d) {
      const float4 q = *reinterpret_cast<const float4*>(queries_t + d * kRows + 4 * rg);
      const float4 k = *reinterpret_cast<const float4*>(keys_t + d * kKeys + 4 * cg);
      const float qv[4] = {q.x, q.y, q.z, q.w}, kv[4] = {k.x, k.y, k.z, k.w};
#pragma unroll
      for (int i = 0; i < 4; ++i) {
#pragma unroll
        for (int j = 0; j < 4; ++j) s[i][j] += qv[i] * kv[j];
      }
    }

#pragma unroll
    for (int i = 0; i < 4; ++i) {
      float tile_max = -INFINITY;
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        if (key_base + 4 * cg + j > positions[i]) s[i][j] = -INFINITY;
        tile_max = fmaxf(tile_max, s[i][j]);
      }
#pragma unroll
      for (int offset = 8; offset > 0; offset /= 2) tile_max = fmaxf(tile_max, __shfl_xor_sync(0xffffffffu, tile_max, offset));
      const float new_max = fmaxf(running_max[i], tile_max);
      // A row with no visible key yet (only possible for padding rows) keeps max -inf; subtracting 0
      // then gives probabilities e^-inf = 0 instead of NaN.
      const float reference = new_max == -INFINITY ? 0.0f : new_max;
      const float correction = expf(running_max[i] - reference);
      running_max[i] = new_max;
      float row_sum = 0.0f;
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        const float p = expf(s[i][j] - reference);
        probabilities[(4 * rg + i) * kScoreStride + 4 * cg + j] = p;
        row_sum += p;
      }
      sum[i] = sum[i] * correction + row_sum;
#pragma unroll
      for (int j = 0; j < kCols; ++j) acc[i][j] *= correction;
    }
    __syncthreads();

    const int keys = min(kKeys, key_end - key_base);
    for (int c = 0; c < keys; ++c) {
      float p[4];
#pragma unroll
      for (int i = 0; i < 4; ++i) p[i] = probabilities[(4 * rg + i) * kScoreStride + c];
#pragma unroll
      for (int j = 0; j < kCols; ++j) {
        const float v = values[c * kValueStride + cg + 16 * j];
#pragma unroll
        for (int i = 0; i < 4; ++i) acc[i][j] += p[i] * v;
      }
    }
  }

#pragma unroll
  for (int i = 0; i < 4; ++i) {
    float total = sum[i];
#pragma unroll
    for (int offset = 8; offset > 0; offset /= 2) total += __shfl_xor_sync(0xffffffffu, total, offset);
    if (positions[i] < 0) continue;
    const int row = first_row + 4 * rg + i;
    const int t = row / group, g = row % group;
    __nv_bfloat16* out = args.out + (static_cast<std::size_t>(first_token + t) * num_heads + kv_head * group + g) * D;
#pragma unroll
    for (int j = 0; j < kCols; ++j) out[cg + 16 * j] = __float2bfloat16(acc[i][j] / total);
  }
}

template <int D>
void launch_prefill(cudaStream_t stream, const AttentionArgs& args, const std::int32_t* tiles, std::size_t count) {
  constexpr std::size_t kShared = prefill_shared_bytes<D>();
  if constexpr (kShared > 48 * 1024) {
    QWENRT_CUDA_CHECK(cudaFuncSetAttribute(prefill_kernel<D>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                           static_cast<int>(kShared)));
  }
  const auto base_scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(D)));
  const dim3 grid(static_cast<unsigned>(count), static_cast<unsigned>(args.cache.num_kv_heads));
  prefill_kernel<D><<<grid, kThreads, kShared, stream>>>(args, tiles, base_scale);
  QWENRT_CUDA_CHECK_LAUNCH("prefill_kernel");
}

}  // namespace

void paged_attention_prefill(cudaStream_t stream, const AttentionArgs& args, const std::int32_t* tiles,
                             std::size_t tile_count) {
  const std::size_t kv_heads = args.cache.num_kv_heads;
  if (kv_heads == 0 || args.num_heads == 0 || args.num_heads % kv_heads != 0) {
    fail("paged_attention_prefill: num_heads ", args.num_heads, " is not a positive multiple of num_kv_heads ", kv_heads);
  }
  if (tile_count == 0) return;
  switch (args.cache.head_dim) {
    case 16: return launch_prefill<16>(stream, args, tiles, tile_count);
    case 32: return launch_prefill<32>(stream, args, tiles, tile_count);
    case 64: return launch_prefill<64>(stream, args, tiles, tile_count);
    case 128: return launch_prefill<128>(stream, args, tiles, tile_count);
    default: fail("paged_attention_prefill: head_dim ", args.cache.head_dim, " is not supported (16, 32, 64, 128)");
  }
}

}  // namespace qwenrt::cuda
