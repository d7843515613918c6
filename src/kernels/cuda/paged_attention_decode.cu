#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "kernels/cuda/block_reduce.cuh"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/paged_attention_common.cuh"

namespace qwenrt::cuda {
namespace {

constexpr int kMaxGroup = 16;
// Keys that each split keeps at least: splitting further costs more in merging than it gains.
constexpr std::size_t kMinKeysPerSplit = 64;
// Enough to fill an H100 from a single sequence with 4 KV heads; the merge reads every split's maximum.
constexpr std::size_t kMaxSplits = 64;

// Threads per decode block: one key each while scoring, kThreads / head_dim keys at a time while summing.
constexpr int kThreads = 128;

// One block per (KV head, decode sequence, key range). Keys are taken a chunk of kThreads at a time:
// the block copies the chunk's values to shared memory (16-byte loads, all in flight together), thread
// i scores key i against every query head of the group (queries from shared memory, so each key is
// read once for all of them), one warp per head updates the running max and sum, then thread (d, p)
// adds the chunk's weighted values of dimension d for every p-th key.
template <int D>
__global__ void __launch_bounds__(kThreads) decode_kernel(AttentionArgs args, const std::int32_t* decode_sequences,
                                                          int splits, float base_scale, float* scratch) {
  constexpr int kParts = kThreads / D;
  extern __shared__ float4 shared4[];
  __nv_bfloat16* values = reinterpret_cast<__nv_bfloat16*>(shared4);  // the chunk's values, [kThreads][D]
  float* shared = reinterpret_cast<float*>(values + kThreads * D);
  const PagedKvView& cache = args.cache;
  const int num_heads = static_cast<int>(args.num_heads);
  const int group = num_heads / static_cast<int>(cache.num_kv_heads);
  float* queries = shared;                        // [group][D], scaled
  float* scores = queries + group * D;            // [group][kThreads]
  float* running_max = scores + group * kThreads; // [group]
  float* running_sum = running_max + group;       // [group]
  float* correction = running_sum + group;        // [group]
  float* partial_sums = correction + group;       // [kParts][group][D]

  const int tid = threadIdx.x;
  const int kv_head = blockIdx.x;
  const int sequence = decode_sequences[blockIdx.y];
  const int split = blockIdx.z;
  const int token = args.sequences.first_token[sequence];
  const int context = args.sequences.first_position[sequence] + 1;
  const std::int32_t* table = args.sequences.block_tables + args.sequences.block_table_offset[sequence];
  // Every split takes at least kMinKeysPerSplit keys, so a short context leaves the later splits
  // empty (they report no keys to the merge) rather than spreading a few keys thinly.
  const int per_split = max(static_cast<int>(kMinKeysPerSplit), (context + splits - 1) / splits);
  const int key_begin = split * per_split;
  const int key_end = min(context, key_begin + per_split);

  const float scale = detail::query_scale(base_scale, args.sequences.query_scales, token);
  for (int i = tid; i < group * D; i += kThreads) {
    const int g = i / D, d = i % D;
    queries[i] = args.q[(static_cast<std::size_t>(token) * num_heads + kv_head * group + g) * D + d] * scale;
  }
  if (tid < group) {
    running_max[tid] = -INFINITY;
    running_sum[tid] = 0.0f;
  }
  const int d = tid % D, part = tid / D;
  float acc[kMaxGroup];
#pragma unroll
  for (int g = 0; g < kMaxGroup; ++g) acc[g] = 0.0f;
  __syncthreads();

  for (int chunk = key_begin; chunk < key_end; chunk += kThreads) {
    const int keys = min(kThreads, key_end - chunk);
#pragma unroll 4
    for (int i = tid; i < keys * (D / 8); i += kThreads) {
      const int c = i / (D / 8), dc = i % (D / 8) * 8;
      *reinterpret_cast<uint4*>(values + c * D + dc) =
          *reinterpret_cast<const uint4*>(cache.values + detail::cache_offset(cache, table, chunk + c, kv_head) + dc);
    }
    const int key = chunk + tid;
    float dots[kMaxGroup];
#pragma unroll
    for (int g = 0; g < kMaxGroup; ++g) dots[g] = 0.0f;
    if (key < key_end) {
      const __nv_bfloat16* k = cache.keys + detail::cache_offset(cache, table, key, kv_head);
#pragma unroll 4  // measured on an H100: unrolling all D / 8 steps made the kernel 1.7x slower
      for (int dc = 0; dc < D; dc += 8) {
        float kv[8];
        detail::load_bf16x8(k + dc, kv);
#pragma unroll
        for (int g = 0; g < kMaxGroup; ++g) {
          if (g < group) {
            const float4 q0 = *reinterpret_cast<const float4*>(queries + g * D + dc);
            const float4 q1 = *reinterpret_cast<const float4*>(queries + g * D + dc + 4);
            dots[g] += q0.x * kv[0] + q0.y * kv[1] + q0.z * kv[2] + q0.w * kv[3] + q1.x * kv[4] + q1.y * kv[5] +
                       q1.z * kv[6] + q1.w * kv[7];
          }
        }
      }
    }
#pragma unroll
    for (int g = 0; g < kMaxGroup; ++g) {
      if (g < group) scores[g * kThreads + tid] = key < key_end ? dots[g] : -INFINITY;
    }
    __syncthreads();

    const int warp = tid / 32, lane = tid % 32;
    for (int g = warp; g < group; g += kThreads / 32) {
      float* row = scores + g * kThreads;
      float chunk_max = -INFINITY;
      for (int i = lane; i < kThreads; i += 32) chunk_max = fmaxf(chunk_max, row[i]);
      chunk_max = detail::warp_max(chunk_max);
      const float old_max = running_max[g];
      const float new_max = fmaxf(old_max, chunk_max);  // finite: the chunk's first key is visible
      float sum = 0.0f;
      for (int i = lane; i < kThreads; i += 32) {
        const float p = expf(row[i] - new_max);
        row[i] = p;
        sum += p;
      }
      sum = detail::warp_sum(sum);
      if (lane == 0) {
        const float c = expf(old_max - new_max);
        correction[g] = c;
        running_sum[g] = running_sum[g] * c + sum;
        running_max[g] = new_max;
      }
    }
    __syncthreads();

#pragma unroll
    for (int g = 0; g < kMaxGroup; ++g) {
      if (g < group) acc[g] *= correction[g];
    }
    for (int c = part; c < keys; c += kParts) {
      const float v = __bfloat162float(values[c * D + d]);
#pragma unroll
      for (int g = 0; g < kMaxGroup; ++g) {
        if (g < group) acc[g] += scores[g * kThreads + c] * v;
      }
    }
    __syncthreads();  // values, scores and correction are rewritten by the next chunk
  }

  if constexpr (kParts > 1) {
#pragma unroll
    for (int g = 0; g < kMaxGroup; ++g) {
      if (g < group) partial_sums[(part * group + g) * D + d] = acc[g];
    }
    __syncthreads();
    if (part == 0) {
#pragma unroll
      for (int g = 0; g < kMaxGroup; ++g) {
        if (g < group) {
          for (int p = 1; p < kParts; ++p) acc[g] += partial_sums[(p * group + g) * D + d];
        }
      }
    }
  }
  if (part != 0) return;
#pragma unroll
  for (int g = 0; g < kMaxGroup; ++g) {
    if (g >= group) continue;
    const int head = kv_head * group + g;
    if (splits == 1) {
      args.out[(static_cast<std::size_t>(token) * num_heads + head) * D + d] = __float2bfloat16(acc[g] / running_sum[g]);
    } else {
      float* partial = scratch + ((static_cast<std::size_t>(blockIdx.y) * num_heads + head) * splits + split) * (D + 2);
      partial[d] = acc[g];
      if (d == 0) {
        partial[D] = running_max[g];
        partial[D + 1] = running_sum[g];
      }
    }
  }
}

// Combines the key ranges of one (sequence, query head): with maxima m_s, sums l_s and unnormalised
// outputs a_s, out = sum a_s e^(m_s - M) / sum l_s e^(m_s - M), M = max m_s. Ranges with no key
// (m_s = -inf) are skipped.
template <int D>
__global__ void merge_kernel(AttentionArgs args, const std::int32_t* decode_sequences, int splits,
                             const float* scratch) {
  const int num_heads = static_cast<int>(args.num_heads);
  const int head = blockIdx.y, d = threadIdx.x;
  const float* partials = scratch + (static_cast<std::size_t>(blockIdx.x) * num_heads + head) * splits * (D + 2);
  float max = -INFINITY;
  for (int s = 0; s < splits; ++s) max = fmaxf(max, partials[s * (D + 2) + D]);
  float sum = 0.0f, acc = 0.0f;
  for (int s = 0; s < splits; ++s) {
    const float* partial = partials + s * (D + 2);
    if (partial[D] == -INFINITY) continue;
    const float weight = expf(partial[D] - max);
    sum += partial[D + 1] * weight;
    acc += partial[d] * weight;
  }
  const int token = args.sequences.first_token[decode_sequences[blockIdx.x]];
  args.out[(static_cast<std::size_t>(token) * num_heads + head) * D + d] = __float2bfloat16(acc / sum);
}

template <int D>
void launch_decode(cudaStream_t stream, const AttentionArgs& args, const std::int32_t* decode_sequences,
                   std::size_t count, std::size_t splits, float* scratch) {
  const std::size_t group = args.num_heads / args.cache.num_kv_heads;
  const std::size_t parts = kThreads / D;
  const std::size_t shared_floats = group * D + group * kThreads + 3 * group + (parts > 1 ? parts * group * D : 0);
  const std::size_t shared_bytes = kThreads * D * sizeof(__nv_bfloat16) + shared_floats * sizeof(float);
  if (shared_bytes > 48 * 1024) {
    QWENRT_CUDA_CHECK(cudaFuncSetAttribute(decode_kernel<D>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                           static_cast<int>(shared_bytes)));
  }
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
