#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/paged_attention_common.cuh"

namespace qwenrt::cuda {
namespace {

constexpr int kMaxGroup = 16;
// Keys that each split keeps at least: splitting further costs more in merging than it gains.
constexpr int kMinKeysPerSplit = 32;
// Enough to fill an H100 from a single sequence with 4 KV heads.
constexpr std::size_t kMaxSplits = 64;

constexpr int kWarps = 4;
constexpr int kThreads = kWarps * 32;
// Each lane holds 4 dimensions of a key or value (8 bytes); D / 4 lanes together hold one.
constexpr int kDimsPerLane = 4;
// Keys a lane group loads before using the first, so their latencies overlap.
constexpr int kUnroll = 4;

// The keys of one split of a sequence's context: at least kMinKeysPerSplit each, so a short context
// leaves the later splits empty. The decode and merge kernels must agree on it.
__device__ __forceinline__ int keys_per_split(int context, int splits) {
  return max(kMinKeysPerSplit, (context + splits - 1) / splits);
}

__device__ __forceinline__ void unpack4(const uint2& raw, float* out) {
  const auto* pairs = reinterpret_cast<const __nv_bfloat162*>(&raw);
  const float2 a = __bfloat1622float2(pairs[0]), b = __bfloat1622float2(pairs[1]);
  out[0] = a.x;
  out[1] = a.y;
  out[2] = b.x;
  out[3] = b.y;
}

// One block per (KV head, decode sequence, key range). The block's lanes form streams of D / 4 lanes,
// each lane holding 4 dimensions; a stream takes kUnroll keys at a time (their keys and values loaded
// together), scores each against every query head of the group (the dot product summed across the
// stream's lanes, so each key is read once for the whole group) and folds it into its own running
// maximum, sum and weighted values. The streams are merged at the end through shared memory.
template <int D>
__global__ void __launch_bounds__(kThreads) decode_kernel(AttentionArgs args, const std::int32_t* decode_sequences,
                                                          int splits, float base_scale, float* scratch) {
  constexpr int kLanesPerKey = D / kDimsPerLane;
  constexpr int kStreamsPerWarp = 32 / kLanesPerKey;
  constexpr int kStreams = kWarps * kStreamsPerWarp;
  __shared__ float stream_max[kStreams][kMaxGroup];
  __shared__ float stream_sum[kStreams][kMaxGroup];
  extern __shared__ float stream_values[];  // [kStreams][group][D]

  const PagedKvView& cache = args.cache;
  const int num_heads = static_cast<int>(args.num_heads);
  const int group = num_heads / static_cast<int>(cache.num_kv_heads);
  const int lane = static_cast<int>(threadIdx.x) % 32;
  const int stream = static_cast<int>(threadIdx.x) / 32 * kStreamsPerWarp + lane / kLanesPerKey;
  const int dim0 = lane % kLanesPerKey * kDimsPerLane;
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
  float q[kMaxGroup][kDimsPerLane];
  float running_max[kMaxGroup], running_sum[kMaxGroup], acc[kMaxGroup][kDimsPerLane];
#pragma unroll
  for (int g = 0; g < kMaxGroup; ++g) {
    running_max[g] = -INFINITY;
    running_sum[g] = 0.0f;
#pragma unroll
    for (int i = 0; i < kDimsPerLane; ++i) {
      acc[g][i] = 0.0f;
      q[g][i] = 0.0f;
    }
    if (g < group) {
      const float4 v = *reinterpret_cast<const float4*>(
          args.q + (static_cast<std::size_t>(token) * num_heads + kv_head * group + g) * D + dim0);
      q[g][0] = v.x * scale;
      q[g][1] = v.y * scale;
      q[g][2] = v.z * scale;
      q[g][3] = v.w * scale;
    }
  }

  // Every lane runs the same number of iterations (shuffles need the whole warp); keys past the
  // split's end are loaded as nothing and skipped.
  for (int first = key_begin + stream * kUnroll; first - stream * kUnroll < key_end; first += kStreams * kUnroll) {
    uint2 key_raw[kUnroll], value_raw[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      key_raw[u] = value_raw[u] = make_uint2(0, 0);
      if (first + u < key_end) {
        const std::size_t offset = detail::cache_offset(cache, table, first + u, kv_head) + dim0;
        key_raw[u] = *reinterpret_cast<const uint2*>(cache.keys + offset);
        value_raw[u] = *reinterpret_cast<const uint2*>(cache.values + offset);
      }
    }
    float k[kUnroll][kDimsPerLane], v[kUnroll][kDimsPerLane];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      unpack4(key_raw[u], k[u]);
      unpack4(value_raw[u], v[u]);
    }
    // The kUnroll keys are folded in together: one rescaling of the running sums per chunk.
#pragma unroll
    for (int g = 0; g < kMaxGroup; ++g) {
      if (g >= group) break;
      float score[kUnroll];
      float chunk_max = -INFINITY;
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) {
        score[u] = q[g][0] * k[u][0] + q[g][1] * k[u][1] + q[g][2] * k[u][2] + q[g][3] * k[u][3];
#pragma unroll
        for (int offset = kLanesPerKey / 2; offset > 0; offset /= 2) {
          score[u] += __shfl_xor_sync(0xffffffffu, score[u], offset);
        }
        if (first + u < key_end) chunk_max = fmaxf(chunk_max, score[u]);
      }
      if (chunk_max == -INFINITY) continue;  // no key of this chunk is in the split
      const float new_max = fmaxf(running_max[g], chunk_max);
      const float correction = expf(running_max[g] - new_max);
      running_sum[g] *= correction;
#pragma unroll
      for (int i = 0; i < kDimsPerLane; ++i) acc[g][i] *= correction;
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) {
        const float p = first + u < key_end ? expf(score[u] - new_max) : 0.0f;
        running_sum[g] += p;
#pragma unroll
        for (int i = 0; i < kDimsPerLane; ++i) acc[g][i] += p * v[u][i];
      }
      running_max[g] = new_max;
    }
  }

#pragma unroll
  for (int g = 0; g < kMaxGroup; ++g) {
    if (g >= group) break;
    if (dim0 == 0) {
      stream_max[stream][g] = running_max[g];
      stream_sum[stream][g] = running_sum[g];
    }
#pragma unroll
    for (int i = 0; i < kDimsPerLane; ++i) stream_values[(stream * group + g) * D + dim0 + i] = acc[g][i];
  }
  __syncthreads();

  for (int t = static_cast<int>(threadIdx.x); t < group * D; t += kThreads) {
    const int g = t / D, d = t % D;
    float max = -INFINITY;
    for (int s = 0; s < kStreams; ++s) max = fmaxf(max, stream_max[s][g]);
    float sum = 0.0f, value = 0.0f;
    if (max != -INFINITY) {  // else the split is empty
      for (int s = 0; s < kStreams; ++s) {
        if (stream_max[s][g] == -INFINITY) continue;
        const float weight = expf(stream_max[s][g] - max);
        sum += stream_sum[s][g] * weight;
        value += stream_values[(s * group + g) * D + d] * weight;
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
// sequence's context reaches.
template <int D>
__global__ void merge_kernel(AttentionArgs args, const std::int32_t* decode_sequences, int splits,
                             const float* scratch) {
  const int num_heads = static_cast<int>(args.num_heads);
  const int head = blockIdx.y, d = threadIdx.x;
  const int sequence = decode_sequences[blockIdx.x];
  const int context = args.sequences.first_position[sequence] + 1;
  const int used = min(splits, (context + keys_per_split(context, splits) - 1) / keys_per_split(context, splits));
  const float* partials = scratch + (static_cast<std::size_t>(blockIdx.x) * num_heads + head) * splits * (D + 2);
  float max = -INFINITY;
  for (int s = 0; s < used; ++s) max = fmaxf(max, partials[s * (D + 2) + D]);
  float sum = 0.0f, acc = 0.0f;
  for (int s = 0; s < used; ++s) {
    const float* partial = partials + s * (D + 2);
    const float weight = expf(partial[D] - max);
    sum += partial[D + 1] * weight;
    acc += partial[d] * weight;
  }
  const int token = args.sequences.first_token[sequence];
  args.out[(static_cast<std::size_t>(token) * num_heads + head) * D + d] = __float2bfloat16(acc / sum);
}

template <int D>
void launch_decode(cudaStream_t stream, const AttentionArgs& args, const std::int32_t* decode_sequences,
                   std::size_t count, std::size_t splits, float* scratch) {
  const std::size_t group = args.num_heads / args.cache.num_kv_heads;
  const std::size_t streams = kWarps * 32 / (D / kDimsPerLane);
  const std::size_t shared_bytes = streams * group * D * sizeof(float);  // at most 32 KiB
  const auto base_scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(D)));
  const dim3 grid(static_cast<unsigned>(args.cache.num_kv_heads), static_cast<unsigned>(count),
                  static_cast<unsigned>(splits));
  decode_kernel<D><<<grid, kThreads, shared_bytes, stream>>>(args, decode_sequences, static_cast<int>(splits),
                                                            base_scale, scratch);
  QWENRT_CUDA_CHECK_LAUNCH("decode_kernel");
  if (splits > 1) {
    merge_kernel<D><<<dim3(static_cast<unsigned>(count), static_cast<unsigned>(args.num_heads)), D, 0, stream>>>(
        args, decode_sequences, static_cast<int>(splits), scratch);
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
