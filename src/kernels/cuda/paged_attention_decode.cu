#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/dependent_launch.cuh"
#include "kernels/cuda/mma_bf16.cuh"
#include "kernels/cuda/paged_attention_common.cuh"

namespace qwenrt::cuda {
namespace {

using detail::copy_async_16;
using detail::ldmatrix_x4;
using detail::ldmatrix_x4_trans;
using detail::mma_bf16;
using detail::pack_bf16;

constexpr int kMaxGroup = 16;  // the query heads of a KV head fill (part of) one 16-row mma tile
// Keys that each split keeps at least: one chunk, so that a single short sequence still spreads over
// the multiprocessors.
constexpr int kMinKeysPerSplit = 16;
// Enough to fill an H100 from a single sequence.
constexpr std::size_t kMaxSplits = 64;

constexpr int kMaxWarps = 4;  // KV heads per block, one warp each
constexpr int kChunk = 16;    // keys a warp takes at a time: one k-step of the probabilities x values product
constexpr int kPad = 8;       // bf16 of padding per shared row, so ldmatrix rows fall in different banks
// Shared memory (two chunk buffers per warp) allows three blocks per SM; registers are held to that.
constexpr int kMinBlocksPerSm = 3;

// The keys of one split of a sequence's context: at least kMinKeysPerSplit each, so a short context
// leaves the later splits empty. The decode and merge kernels must agree on it.
__device__ __forceinline__ int keys_per_split(int context, int splits) {
  return max(kMinKeysPerSplit, (context + splits - 1) / splits);
}

// Per warp two buffers, each a chunk of keys and one of values.
template <int D>
constexpr std::size_t warp_shared_bytes() {
  return sizeof(__nv_bfloat16) * 2 * 2 * kChunk * (D + kPad);
}

std::size_t warps_per_block(std::size_t num_kv_heads) {
  return std::min<std::size_t>(num_kv_heads, kMaxWarps);
}

// The cache slot of key first_key + lane % kChunk of a sequence (block table entry times the block
// size plus the offset in the block), or -1 past key_end: each lane looks up one key of a chunk, so a
// chunk's table lookups are one load per lane, issued two chunks ahead of the copies that need them.
__device__ __forceinline__ int chunk_slot(const std::int32_t* table, int block_size, int first_key, int key_end,
                                          int lane) {
  const int key = first_key + lane % kChunk;
  return key < key_end ? table[key / block_size] * block_size + key % block_size : -1;
}

// One warp per (KV head, decode sequence, key range), up to four KV heads of a sequence per block.
// The query heads of the KV head are the rows of a 16-row mma tile (rows past the group are zero and
// ignored), so every key and value is read once for the whole group and the products run on the
// tensor cores, as in the prefill kernel. The warp walks its keys 16 at a time, two chunks in flight:
// it copies chunk i + 2 into shared memory (asynchronously) as soon as it is done with chunk i, and
// looks up the block table two chunks ahead of that. Warps never wait for each other: each ends by
// writing its own heads' outputs (or its split's partial state for merge_kernel).
template <int D>
__global__ void __launch_bounds__(kMaxWarps * 32, kMinBlocksPerSm)
    decode_kernel(AttentionArgs args, const std::int32_t* decode_sequences, int splits, float base_scale,
                  float* scratch) {
  detail::wait_for_prior_kernels();
  detail::allow_dependent_kernels();
  constexpr int kStride = D + kPad;
  constexpr int kDSteps = D / 16;
  constexpr int kOutTiles = D / 8;
  constexpr int kPiecesPerKey = D / 8;  // 16-byte pieces
  constexpr int kBufferElements = 2 * kChunk * kStride;  // keys then values
  extern __shared__ float4 shared4[];

  const PagedKvView& cache = args.cache;
  const int num_heads = static_cast<int>(args.num_heads);
  const int num_kv_heads = static_cast<int>(cache.num_kv_heads);
  const int group = num_heads / num_kv_heads;
  const int lane = static_cast<int>(threadIdx.x) % 32, warp = static_cast<int>(threadIdx.x) / 32;
  const int kv_head = static_cast<int>(blockIdx.x * (blockDim.x / 32)) + warp;
  if (kv_head >= num_kv_heads) return;
  __nv_bfloat16* buffers = reinterpret_cast<__nv_bfloat16*>(shared4) + warp * 2 * kBufferElements;

  const int sequence = decode_sequences[blockIdx.y];
  const int split = static_cast<int>(blockIdx.z);
  const int token = args.sequences.first_token[sequence];
  const int context = args.sequences.first_position[sequence] + 1;
  const int per_split = keys_per_split(context, splits);
  const int key_begin = split * per_split;
  const int key_end = min(context, key_begin + per_split);
  if (key_begin >= key_end) return;  // an empty split: merge_kernel reads only the splits the context reaches
  const std::int32_t* table = args.sequences.block_tables + args.sequences.block_table_offset[sequence];
  const int block_size = static_cast<int>(cache.block_size);
  const std::size_t slot_stride = static_cast<std::size_t>(num_kv_heads) * D;  // elements between slots
  const __nv_bfloat16* key_base = cache.keys + static_cast<std::size_t>(kv_head) * D;
  const __nv_bfloat16* value_base = cache.values + static_cast<std::size_t>(kv_head) * D;

  // slots: chunk_slot of the chunk for this warp's lanes; key c's slot is lane c's.
  const auto start_copy = [&](int slots, int buffer) {
    __nv_bfloat16* keys = buffers + buffer * kBufferElements;
    __nv_bfloat16* values = keys + kChunk * kStride;
#pragma unroll
    for (int i = lane; i < kChunk * kPiecesPerKey; i += 32) {
      const int c = i / kPiecesPerKey, d = i % kPiecesPerKey * 8;
      const int slot = __shfl_sync(0xffffffffu, slots, c);
      const bool valid = slot >= 0;
      const std::size_t offset = valid ? static_cast<std::size_t>(slot) * slot_stride + d : 0;
      copy_async_16(keys + c * kStride + d, key_base + offset, valid);
      copy_async_16(values + c * kStride + d, value_base + offset, valid);
    }
    detail::copy_async_commit();
  };

  // The first two chunks' table lookups go out with the query loads; the queries pass through the
  // second buffer (as bf16, scaled) into registers before that buffer takes its chunk.
  const int first_slots = chunk_slot(table, block_size, key_begin, key_end, lane);
  int next_slots = chunk_slot(table, block_size, key_begin + kChunk, key_end, lane);
  const float scale = detail::query_scale(base_scale, args.sequences.query_scales, token);
  const float* q = args.q + (static_cast<std::size_t>(token) * num_heads + kv_head * group) * D;
  __nv_bfloat16* staged = buffers + kBufferElements;
#pragma unroll 4
  for (int i = lane; i < 16 * (D / 4); i += 32) {
    const int g = i / (D / 4), d = i % (D / 4) * 4;
    float4 v = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
    if (g < group) v = *reinterpret_cast<const float4*>(q + g * D + d);
    unsigned* dst = reinterpret_cast<unsigned*>(staged + g * kStride + d);
    dst[0] = pack_bf16(v.x * scale, v.y * scale);
    dst[1] = pack_bf16(v.z * scale, v.w * scale);
  }
  start_copy(first_slots, 0);
  __syncwarp();
  unsigned q_frag[kDSteps][4];
#pragma unroll
  for (int k = 0; k < kDSteps; ++k) {
    ldmatrix_x4(q_frag[k], staged + (lane % 8 + (lane / 8) % 2 * 8) * kStride + k * 16 + lane / 16 * 8);
  }
  __syncwarp();
  if (key_begin + kChunk < key_end) {
    start_copy(next_slots, 1);
    next_slots = chunk_slot(table, block_size, key_begin + 2 * kChunk, key_end, lane);
  }

  // Each lane holds rows lane / 4 and lane / 4 + 8 of the tile.
  float running_max[2] = {-INFINITY, -INFINITY}, running_sum[2] = {0.0f, 0.0f};
  float out[kOutTiles][4] = {};
  int buffer = 0;
  for (int first = key_begin; first < key_end; first += kChunk, buffer ^= 1) {
    if (first + kChunk < key_end) {
      detail::copy_async_wait<1>();
    } else {
      detail::copy_async_wait<0>();
    }
    __syncwarp();
    const __nv_bfloat16* keys = buffers + buffer * kBufferElements;
    const __nv_bfloat16* values = keys + kChunk * kStride;

    float score[2][4] = {};
#pragma unroll
    for (int k = 0; k < kDSteps; ++k) {
      unsigned b[4];  // b0, b1 of keys 0..7, then of keys 8..15
      ldmatrix_x4(b, keys + (lane % 8 + lane / 16 * 8) * kStride + k * 16 + (lane / 8) % 2 * 8);
      mma_bf16(score[0], q_frag[k], b[0], b[1]);
      mma_bf16(score[1], q_frag[k], b[2], b[3]);
    }
#pragma unroll
    for (int n = 0; n < 2; ++n) {
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        if (first + n * 8 + lane % 4 * 2 + e % 2 >= key_end) score[n][e] = -INFINITY;
      }
    }
    float probability_scale[2];
    detail::online_softmax_step(score, running_max, running_sum, probability_scale);
    detail::rescale_rows(out, probability_scale);
    unsigned p[4];
    detail::probability_fragment(score, 0, p);
#pragma unroll
    for (int n = 0; n < kOutTiles; n += 2) {
      unsigned b[4];  // b0, b1 of dimensions n*8.., then of the next 8
      ldmatrix_x4_trans(b, values + (lane % 8 + (lane / 8) % 2 * 8) * kStride + n * 8 + lane / 16 * 8);
      mma_bf16(out[n], p, b[0], b[1]);
      mma_bf16(out[n + 1], p, b[2], b[3]);
    }
    __syncwarp();  // every lane is done with the buffer before it is refilled
    if (first + 2 * kChunk < key_end) {
      start_copy(next_slots, buffer);
      next_slots = chunk_slot(table, block_size, first + 3 * kChunk, key_end, lane);
    }
  }

  // Each row's sum is spread over its four lanes.
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    running_sum[h] += __shfl_xor_sync(0xffffffffu, running_sum[h], 1);
    running_sum[h] += __shfl_xor_sync(0xffffffffu, running_sum[h], 2);
  }
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    const int g = lane / 4 + 8 * h;
    if (g >= group) continue;
    const int head = kv_head * group + g;
    if (splits == 1) {
      __nv_bfloat16* dst = args.out + (static_cast<std::size_t>(token) * num_heads + head) * D;
      const float inverse = 1.0f / running_sum[h];
#pragma unroll
      for (int n = 0; n < kOutTiles; ++n) {
        *reinterpret_cast<__nv_bfloat162*>(dst + n * 8 + lane % 4 * 2) =
            __floats2bfloat162_rn(out[n][2 * h] * inverse, out[n][2 * h + 1] * inverse);
      }
    } else {
      float* partial = scratch + ((static_cast<std::size_t>(blockIdx.y) * num_heads + head) * splits + split) * (D + 2);
#pragma unroll
      for (int n = 0; n < kOutTiles; ++n) {
        *reinterpret_cast<float2*>(partial + n * 8 + lane % 4 * 2) = make_float2(out[n][2 * h], out[n][2 * h + 1]);
      }
      if (lane % 4 == 0) {
        partial[D] = running_max[h];
        partial[D + 1] = running_sum[h];
      }
    }
  }
}

// Combines the key ranges of one (sequence, query head): with maxima m_s, sums l_s and unnormalised
// outputs a_s, out = sum a_s e^(m_s - M) / sum l_s e^(m_s - M), M = max m_s, over the splits the
// sequence's context reaches. The splits' weights are computed once, by the first warp, into shared
// memory; thread d (of at least a warp) then sums dimension d.
template <int D>
__global__ void merge_kernel(AttentionArgs args, const std::int32_t* decode_sequences, int splits,
                             const float* scratch) {
  detail::wait_for_prior_kernels();
  detail::allow_dependent_kernels();
  __shared__ float weights[kMaxSplits];
  __shared__ float total;
  const int num_heads = static_cast<int>(args.num_heads);
  const int head = blockIdx.y, d = threadIdx.x;
  const int sequence = decode_sequences[blockIdx.x];
  const int context = args.sequences.first_position[sequence] + 1;
  const int per_split = keys_per_split(context, splits);
  const int used = min(splits, (context + per_split - 1) / per_split);
  const float* partials = scratch + (static_cast<std::size_t>(blockIdx.x) * num_heads + head) * splits * (D + 2);
  if (d < 32) {
    float max = -INFINITY;
    for (int s = d; s < used; s += 32) max = fmaxf(max, partials[s * (D + 2) + D]);
    for (int offset = 16; offset > 0; offset /= 2) max = fmaxf(max, __shfl_xor_sync(0xffffffffu, max, offset));
    float sum = 0.0f;
    for (int s = d; s < used; s += 32) {
      weights[s] = expf(partials[s * (D + 2) + D] - max);
      sum += partials[s * (D + 2) + D + 1] * weights[s];
    }
    for (int offset = 16; offset > 0; offset /= 2) sum += __shfl_xor_sync(0xffffffffu, sum, offset);
    if (d == 0) total = sum;
  }
  __syncthreads();
  if (d >= D) return;
  float acc = 0.0f;
#pragma unroll 8
  for (int s = 0; s < used; ++s) acc += partials[s * (D + 2) + d] * weights[s];
  const int token = args.sequences.first_token[sequence];
  args.out[(static_cast<std::size_t>(token) * num_heads + head) * D + d] = __float2bfloat16(acc / total);
}

template <int D>
void launch_decode(cudaStream_t stream, const AttentionArgs& args, const std::int32_t* decode_sequences,
                   std::size_t count, std::size_t splits, float* scratch) {
  const std::size_t warps = warps_per_block(args.cache.num_kv_heads);
  const std::size_t shared = warps * warp_shared_bytes<D>();
  if (shared > 48 * 1024) {
    QWENRT_CUDA_CHECK(cudaFuncSetAttribute(decode_kernel<D>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                           static_cast<int>(kMaxWarps * warp_shared_bytes<D>())));
  }
  const auto base_scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(D)));
  const dim3 grid(static_cast<unsigned>((args.cache.num_kv_heads + warps - 1) / warps), static_cast<unsigned>(count),
                  static_cast<unsigned>(splits));
  detail::launch_dependent("decode_kernel", decode_kernel<D>, grid, static_cast<unsigned>(warps * 32), shared, stream,
                           args, decode_sequences, static_cast<int>(splits), base_scale, scratch);
  if (splits > 1) {
    detail::launch_dependent("merge_kernel", merge_kernel<D>,
                             dim3(static_cast<unsigned>(count), static_cast<unsigned>(args.num_heads)), D < 32 ? 32 : D,
                             0, stream, args, decode_sequences, static_cast<int>(splits), scratch);
  }
}

}  // namespace

bool attention_supports_head_dim(std::size_t head_dim) {
  return head_dim == 16 || head_dim == 32 || head_dim == 64 || head_dim == 128;
}

std::size_t decode_splits(std::size_t sequences, std::size_t num_kv_heads, int multiprocessors) {
  const std::size_t warps = warps_per_block(num_kv_heads);
  const std::size_t blocks = warps == 0 ? 0 : sequences * ((num_kv_heads + warps - 1) / warps);
  // A block per multiprocessor at least; more come from further sequences, not from more splits,
  // whose merging costs a pass of its own.
  const auto wanted = static_cast<std::size_t>(std::max(multiprocessors, 1));
  if (blocks == 0 || blocks >= wanted) return 1;
  return std::min((wanted + blocks - 1) / blocks, kMaxSplits);
}

std::size_t decode_scratch_floats(std::size_t sequences, std::size_t num_heads, std::size_t head_dim,
                                  std::size_t splits) {
  return splits > 1 ? sequences * num_heads * splits * (head_dim + 2) : 0;
}

void paged_attention_decode(cudaStream_t stream, const AttentionArgs& args, const std::int32_t* decode_sequences,
                            std::size_t count, std::size_t splits, float* scratch) {
  const std::size_t kv_heads = args.cache.num_kv_heads;
  if (kv_heads == 0 || args.num_heads == 0 || args.num_heads % kv_heads != 0) {
    fail("paged_attention_decode: num_heads ", args.num_heads, " is not a positive multiple of num_kv_heads ", kv_heads);
  }
  if (args.num_heads / kv_heads > kMaxGroup) {
    fail("paged_attention_decode: ", args.num_heads / kv_heads, " query heads per KV head; at most ", kMaxGroup,
         " are supported");
  }
  if (splits == 0) fail("paged_attention_decode: splits must be positive");
  if (count == 0) return;
  switch (args.cache.head_dim) {
    case 16: return launch_decode<16>(stream, args, decode_sequences, count, splits, scratch);
    case 32: return launch_decode<32>(stream, args, decode_sequences, count, splits, scratch);
    case 64: return launch_decode<64>(stream, args, decode_sequences, count, splits, scratch);
    case 128: return launch_decode<128>(stream, args, decode_sequences, count, splits, scratch);
    default: fail("paged_attention_decode: head_dim ", args.cache.head_dim, " is not supported (16, 32, 64, 128)");
  }
}

}  // namespace qwenrt::cuda
