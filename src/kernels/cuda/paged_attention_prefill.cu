#include <cmath>

#include "core/error.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/dependent_launch.cuh"
#include "kernels/cuda/mma_bf16.cuh"
#include "kernels/cuda/paged_attention_common.cuh"
#include "kernels/cuda/paged_attention_tiles.h"

namespace qwenrt::cuda {
namespace {

using detail::copy_async_16;
using detail::ldmatrix_x4;
using detail::ldmatrix_x4_trans;
using detail::mma_bf16;
using detail::pack_bf16;

constexpr int kRows = static_cast<int>(kPrefillTileRows);  // (token, query head) rows per tile
constexpr int kKeys = 64;                                  // keys per step
constexpr int kWarps = kRows / 16;                         // each warp owns 16 rows: one mma row tile
constexpr int kThreads = kWarps * 32;
// Key steps in shared memory at once: the next step's keys and values are copied (asynchronously)
// while the current one is computed.
constexpr int kStages = 2;
// Shared-memory rows are padded by 16 bytes, so the 8 row addresses of an ldmatrix fall in 8
// different groups of 4 banks.
constexpr int kPad = 8;

template <int D>
constexpr std::size_t prefill_shared_bytes() {
  return sizeof(__nv_bfloat16) * (kRows + kStages * 2 * kKeys) * (D + kPad);  // queries, then keys and values per stage
}

// One block per (tile, KV head): FlashAttention-2 on the tensor cores. Warp w owns rows 16w..16w+15 of
// the tile. For each step of 64 keys (and values), copied from the paged cache into shared memory
// while the step before is computed, it computes its 16 x 64 scores with mma (queries from
// registers, keys through ldmatrix), masks the future, folds the step into each row's running maximum
// and sum, and adds probabilities x values with mma, the probabilities going from score accumulators
// to operands without touching memory. Each lane holds two rows (lane / 4 and lane / 4 + 8 of the
// warp's 16); the 4 lanes of a row share its maximum and sum through shuffles. A tile of 128 rows
// reads each key and value once for 128 rows: the cache traffic per row is what bounds this kernel
// when prompts are long.
template <int D>
__global__ void __launch_bounds__(kThreads) prefill_kernel(AttentionArgs args, const std::int32_t* tiles,
                                                           float base_scale) {
  detail::wait_for_prior_kernels();
  detail::allow_dependent_kernels();
  constexpr int kStride = D + kPad;
  constexpr int kDSteps = D / 16;   // k-steps of the score product
  constexpr int kKeyTiles = kKeys / 8;
  constexpr int kOutTiles = D / 8;
  extern __shared__ float4 shared4[];
  __nv_bfloat16* queries = reinterpret_cast<__nv_bfloat16*>(shared4);  // [kRows][kStride]
  __nv_bfloat16* stages = queries + kRows * kStride;  // per stage [kKeys][kStride] keys, then values

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
  const int tid = threadIdx.x, lane = tid % 32, warp = tid / 32;

  // The tile's queries, scaled, as bf16 (padding rows zero).
  for (int i = tid; i < kRows * (D / 4); i += kThreads) {
    const int r = i / (D / 4), d = i % (D / 4) * 4;
    const int row = first_row + r;
    float4 q = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
    if (row < total_rows) {
      const int t = row / group, g = row % group;
      const float scale = detail::query_scale(base_scale, seqs.query_scales, first_token + t);
      q = *reinterpret_cast<const float4*>(
          args.q + (static_cast<std::size_t>(first_token + t) * num_heads + kv_head * group + g) * D + d);
      q.x *= scale;
      q.y *= scale;
      q.z *= scale;
      q.w *= scale;
    }
    unsigned* dst = reinterpret_cast<unsigned*>(queries + r * kStride + d);
    dst[0] = pack_bf16(q.x, q.y);
    dst[1] = pack_bf16(q.z, q.w);
  }
  __syncthreads();

  unsigned q_frag[kDSteps][4];
#pragma unroll
  for (int k = 0; k < kDSteps; ++k) {
    const int row = warp * 16 + lane % 8 + (lane / 8) % 2 * 8, col = k * 16 + lane / 16 * 8;
    ldmatrix_x4(q_frag[k], queries + row * kStride + col);
  }

  // This lane's two rows: their positions (-1 for padding rows, which see no key).
  int position[2];
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    const int row = first_row + warp * 16 + lane / 4 + 8 * h;
    position[h] = row < total_rows ? first_position + row / group : -1;
  }
  const int last_row = min(first_row + kRows, total_rows) - 1;
  const int key_end = first_position + last_row / group + 1;

  float running_max[2] = {-INFINITY, -INFINITY}, running_sum[2] = {0.0f, 0.0f};
  float out[kOutTiles][4] = {};

  // Keys past key_end come in as zeros (0 * NaN would poison the product) and are masked.
  const auto start_copy = [&](int key_base, int stage) {
    __nv_bfloat16* keys = stages + stage * 2 * kKeys * kStride;
    __nv_bfloat16* values = keys + kKeys * kStride;
    for (int i = tid; i < kKeys * (D / 8); i += kThreads) {
      const int c = i / (D / 8), d = i % (D / 8) * 8;
      const int key = key_base + c;
      const bool valid = key < key_end;
      const std::size_t offset = valid ? detail::cache_offset(cache, table, key, kv_head) + d : 0;
      copy_async_16(keys + c * kStride + d, cache.keys + offset, valid);
      copy_async_16(values + c * kStride + d, cache.values + offset, valid);
    }
    detail::copy_async_commit();
  };

  start_copy(0, 0);
  int stage = 0;
  for (int key_base = 0; key_base < key_end; key_base += kKeys, stage ^= 1) {
    __syncthreads();  // every warp is done with the previous step, whose buffer the next copy refills
    if (key_base + kKeys < key_end) {
      start_copy(key_base + kKeys, stage ^ 1);
      detail::copy_async_wait<1>();
    } else {
      detail::copy_async_wait<0>();
    }
    __syncthreads();  // this step's keys and values, copied by every thread, are in
    const __nv_bfloat16* keys = stages + stage * 2 * kKeys * kStride;
    const __nv_bfloat16* values = keys + kKeys * kStride;

    float score[kKeyTiles][4] = {};
#pragma unroll
    for (int n = 0; n < kKeyTiles; n += 2) {
#pragma unroll
      for (int k = 0; k < kDSteps; ++k) {
        unsigned b[4];  // b0, b1 of key tile n, then of key tile n + 1
        const int key = n * 8 + lane % 8 + lane / 16 * 8, col = k * 16 + (lane / 8) % 2 * 8;
        ldmatrix_x4(b, keys + key * kStride + col);
        mma_bf16(score[n], q_frag[k], b[0], b[1]);
        mma_bf16(score[n + 1], q_frag[k], b[2], b[3]);
      }
    }

#pragma unroll
    for (int n = 0; n < kKeyTiles; ++n) {
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        if (key_base + n * 8 + lane % 4 * 2 + e % 2 > position[e / 2]) score[n][e] = -INFINITY;
      }
    }
    float probability_scale[2];
    detail::online_softmax_step(score, running_max, running_sum, probability_scale);
    detail::rescale_rows(out, probability_scale);

#pragma unroll
    for (int k = 0; k < kKeys / 16; ++k) {
      unsigned p[4];
      detail::probability_fragment(score, k, p);
#pragma unroll
      for (int n = 0; n < kOutTiles; n += 2) {
        unsigned b[4];  // b0, b1 of dimension tile n, then of dimension tile n + 1
        const int key = k * 16 + lane % 8 + (lane / 8) % 2 * 8, col = n * 8 + lane / 16 * 8;
        ldmatrix_x4_trans(b, values + key * kStride + col);
        mma_bf16(out[n], p, b[0], b[1]);
        mma_bf16(out[n + 1], p, b[2], b[3]);
      }
    }
  }

#pragma unroll
  for (int h = 0; h < 2; ++h) {
    float total = running_sum[h];
    total += __shfl_xor_sync(0xffffffffu, total, 1);
    total += __shfl_xor_sync(0xffffffffu, total, 2);
    if (position[h] < 0) continue;
    const int row = first_row + warp * 16 + lane / 4 + 8 * h;
    const int t = row / group, g = row % group;
    __nv_bfloat16* dst = args.out + (static_cast<std::size_t>(first_token + t) * num_heads + kv_head * group + g) * D;
#pragma unroll
    for (int n = 0; n < kOutTiles; ++n) {
      *reinterpret_cast<__nv_bfloat162*>(dst + n * 8 + lane % 4 * 2) =
          __floats2bfloat162_rn(out[n][2 * h] / total, out[n][2 * h + 1] / total);
    }
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
  detail::launch_dependent("prefill_kernel", prefill_kernel<D>, grid, kThreads, kShared, stream, args, tiles, base_scale);
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
