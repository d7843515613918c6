#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "kernels/cuda/cuda_check.h"
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
// Keys that each split keeps at least: splitting further costs more in merging than it gains.
constexpr int kMinKeysPerSplit = 64;
// Enough to fill an H100 from a single sequence with 4 KV heads.
constexpr std::size_t kMaxSplits = 64;

constexpr int kWarps = 4;
constexpr int kThreads = kWarps * 32;
constexpr int kChunk = 16;  // keys a warp takes at a time: one k-step of the probabilities x values product
constexpr int kPad = 8;     // bf16 of padding per shared row, so ldmatrix rows fall in different banks

// The keys of one split of a sequence's context: at least kMinKeysPerSplit each, so a short context
// leaves the later splits empty. The decode and merge kernels must agree on it.
__device__ __forceinline__ int keys_per_split(int context, int splits) {
  return max(kMinKeysPerSplit, (context + splits - 1) / splits);
}

template <int D>
constexpr std::size_t decode_shared_bytes() {
  // Per warp two chunk buffers of keys and values; at the end the warps' partial outputs reuse them.
  constexpr std::size_t chunks = sizeof(__nv_bfloat16) * kWarps * 2 * 2 * kChunk * (D + kPad);
  constexpr std::size_t outputs = sizeof(float) * kWarps * 16 * D;
  return (chunks > outputs ? chunks : outputs) + sizeof(__nv_bfloat16) * 16 * (D + kPad);  // + the queries
}

// One block per (KV head, decode sequence, key range): the query heads of the KV head are the rows of
// a 16-row mma tile (rows past the group are zero and ignored), so every key and value is read once
// for the whole group and the products run on the tensor cores, as in the prefill kernel. The block's
// four warps take chunks of 16 keys in turn, each copying its next chunk into shared memory
// (asynchronously, two buffers deep) while it computes on the current one, with its own running
// maxima, sums and outputs; the warps are merged through shared memory at the end.
template <int D>
__global__ void __launch_bounds__(kThreads) decode_kernel(AttentionArgs args, const std::int32_t* decode_sequences,
                                                          int splits, float base_scale, float* scratch) {
  constexpr int kStride = D + kPad;
  constexpr int kDSteps = D / 16;
  constexpr int kOutTiles = D / 8;
  constexpr int kPiecesPerKey = D / 8;  // 16-byte pieces
  extern __shared__ float4 shared4[];
  __nv_bfloat16* queries = reinterpret_cast<__nv_bfloat16*>(shared4);  // [16][kStride]
  __nv_bfloat16* chunks = queries + 16 * kStride;                        // [warp][buffer][keys, values][kChunk][kStride]
  float* warp_outputs = reinterpret_cast<float*>(chunks);                // [warp][16][D], after the loop
  __shared__ float warp_max[kWarps][16], warp_sum[kWarps][16];

  const PagedKvView& cache = args.cache;
  const int num_heads = static_cast<int>(args.num_heads);
  const int group = num_heads / static_cast<int>(cache.num_kv_heads);
  const int lane = static_cast<int>(threadIdx.x) % 32, warp = static_cast<int>(threadIdx.x) / 32;
  const int kv_head = static_cast<int>(blockIdx.x);
  const int sequence = decode_sequences[blockIdx.y];
  const int split = static_cast<int>(blockIdx.z);
  const int token = args.sequences.first_token[sequence];
  const int context = args.sequences.first_position[sequence] + 1;
  const std::int32_t* table = args.sequences.block_tables + args.sequences.block_table_offset[sequence];
  const int per_split = keys_per_split(context, splits);
  const int key_begin = split * per_split;
  const int key_end = min(context, key_begin + per_split);

  const float scale = detail::query_scale(base_scale, args.sequences.query_scales, token);
  for (int i = static_cast<int>(threadIdx.x); i < 16 * (D / 4); i += kThreads) {
    const int g = i / (D / 4), d = i % (D / 4) * 4;
    float4 q = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
    if (g < group) {
      q = *reinterpret_cast<const float4*>(
          args.q + (static_cast<std::size_t>(token) * num_heads + kv_head * group + g) * D + d);
    }
    unsigned* dst = reinterpret_cast<unsigned*>(queries + g * kStride + d);
    dst[0] = pack_bf16(q.x * scale, q.y * scale);
    dst[1] = pack_bf16(q.z * scale, q.w * scale);
  }
  __syncthreads();
  unsigned q_frag[kDSteps][4];
#pragma unroll
  for (int k = 0; k < kDSteps; ++k) {
    ldmatrix_x4(q_frag[k], queries + (lane % 8 + (lane / 8) % 2 * 8) * kStride + k * 16 + lane / 16 * 8);
  }

  __nv_bfloat16* my_chunks = chunks + warp * 2 * 2 * kChunk * kStride;
  const auto start_copy = [&](int first_key, int buffer) {
    __nv_bfloat16* keys = my_chunks + buffer * 2 * kChunk * kStride;
    __nv_bfloat16* values = keys + kChunk * kStride;
#pragma unroll
    for (int i = lane; i < kChunk * kPiecesPerKey; i += 32) {
      const int c = i / kPiecesPerKey, d = i % kPiecesPerKey * 8;
      const int key = first_key + c;
      const bool valid = key < key_end;
      const std::size_t offset = valid ? detail::cache_offset(cache, table, key, kv_head) + d : 0;
      copy_async_16(keys + c * kStride + d, cache.keys + offset, valid);
      copy_async_16(values + c * kStride + d, cache.values + offset, valid);
    }
    detail::copy_async_commit();
  };

  // Each lane holds rows lane / 4 and lane / 4 + 8 of the tile.
  float running_max[2] = {-INFINITY, -INFINITY}, running_sum[2] = {0.0f, 0.0f};
  float out[kOutTiles][4] = {};
  int buffer = 0;
  int first = key_begin + warp * kChunk;
  if (first < key_end) start_copy(first, 0);
  for (; first < key_end; first += kWarps * kChunk, buffer ^= 1) {
    const int next = first + kWarps * kChunk;
    if (next < key_end) {
      start_copy(next, buffer ^ 1);
      detail::copy_async_wait<1>();
    } else {
      detail::copy_async_wait<0>();
    }
    __syncwarp();
    const __nv_bfloat16* keys = my_chunks + buffer * 2 * kChunk * kStride;
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
    __syncwarp();  // the buffer is refilled two chunks on
  }

  // Each row's sum is spread over its four lanes; the warps' states then meet in shared memory.
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    running_sum[h] += __shfl_xor_sync(0xffffffffu, running_sum[h], 1);
    running_sum[h] += __shfl_xor_sync(0xffffffffu, running_sum[h], 2);
  }
  __syncthreads();  // every warp is done with its chunks: their memory now takes the outputs
  if (lane % 4 == 0) {
    warp_max[warp][lane / 4] = running_max[0];
    warp_max[warp][lane / 4 + 8] = running_max[1];
    warp_sum[warp][lane / 4] = running_sum[0];
    warp_sum[warp][lane / 4 + 8] = running_sum[1];
  }
  float* my_outputs = warp_outputs + warp * 16 * D;
#pragma unroll
  for (int n = 0; n < kOutTiles; ++n) {
    const int d = n * 8 + lane % 4 * 2;
    my_outputs[(lane / 4) * D + d] = out[n][0];
    my_outputs[(lane / 4) * D + d + 1] = out[n][1];
    my_outputs[(lane / 4 + 8) * D + d] = out[n][2];
    my_outputs[(lane / 4 + 8) * D + d + 1] = out[n][3];
  }
  __syncthreads();

  for (int t = static_cast<int>(threadIdx.x); t < group * D; t += kThreads) {
    const int g = t / D, d = t % D;
    float max = -INFINITY;
#pragma unroll
    for (int w = 0; w < kWarps; ++w) max = fmaxf(max, warp_max[w][g]);
    float sum = 0.0f, value = 0.0f;
    if (max != -INFINITY) {  // else the split is empty
#pragma unroll
      for (int w = 0; w < kWarps; ++w) {
        if (warp_max[w][g] == -INFINITY) continue;
        const float weight = expf(warp_max[w][g] - max);
        sum += warp_sum[w][g] * weight;
        value += warp_outputs[(w * 16 + g) * D + d] * weight;
      }
    }
    const int head = kv_head * group + g;
    if (splits == 1) {
      args.out[(static_cast<std::size_t>(token) * num_heads + head) * D + d] = __float2bfloat16(value / sum);
    } else {
      float* partial = scratch + ((static_cast<std::size_t>(blockIdx.y) * num_heads + head) * splits + split) * (D + 2);
      partial[d] = value;
      if (d == 0) {
        partial[D] = max;
        partial[D + 1] = sum;
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
  constexpr std::size_t kShared = decode_shared_bytes<D>();
  if constexpr (kShared > 48 * 1024) {
    QWENRT_CUDA_CHECK(cudaFuncSetAttribute(decode_kernel<D>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                           static_cast<int>(kShared)));
  }
  const auto base_scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(D)));
  const dim3 grid(static_cast<unsigned>(args.cache.num_kv_heads), static_cast<unsigned>(count),
                  static_cast<unsigned>(splits));
  decode_kernel<D><<<grid, kThreads, kShared, stream>>>(args, decode_sequences, static_cast<int>(splits), base_scale,
                                                        scratch);
  QWENRT_CUDA_CHECK_LAUNCH("decode_kernel");
  if (splits > 1) {
    merge_kernel<D><<<dim3(static_cast<unsigned>(count), static_cast<unsigned>(args.num_heads)), D < 32 ? 32 : D, 0,
                      stream>>>(args, decode_sequences, static_cast<int>(splits), scratch);
    QWENRT_CUDA_CHECK_LAUNCH("merge_kernel");
  }
}

}  // namespace

bool attention_supports_head_dim(std::size_t head_dim) {
  return head_dim == 16 || head_dim == 32 || head_dim == 64 || head_dim == 128;
}

std::size_t decode_splits(std::size_t sequences, std::size_t num_kv_heads, int multiprocessors) {
  const std::size_t blocks = sequences * num_kv_heads;
  const auto wanted = 2 * static_cast<std::size_t>(std::max(multiprocessors, 1));
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
