#include <climits>

#include "core/error.h"
#include "kernels/cuda/block_reduce.cuh"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/dependent_launch.cuh"
#include "kernels/cuda/sampling.h"

namespace qwenrt::cuda {
namespace {

// One block per row: a row of Qwen's vocabulary is ~150 values per thread, and every pass below is a
// coalesced sweep of it (after the first, from L2).
constexpr int kThreads = 1024;
constexpr int kWarps = kThreads / 32;
constexpr int kRadixBits = 8;
constexpr int kBins = 1 << kRadixBits;

// Unsigned keys that sort as the floats do (-inf lowest, +inf highest), for radix selection.
__device__ __forceinline__ unsigned ordered_key(float v) {
  const unsigned bits = __float_as_uint(v);
  return (bits & 0x80000000u) != 0 ? ~bits : bits | 0x80000000u;
}

__device__ __forceinline__ float from_ordered_key(unsigned key) {
  return __uint_as_float((key & 0x80000000u) != 0 ? key & 0x7fffffffu : ~key);
}

// A weight in the CPU sampler's fixed point (runtime/logit_filters.cpp): integer sums do not depend
// on the order of their terms, so the nucleus does not depend on how threads split the row.
__device__ __forceinline__ unsigned long long fixed_point(float weight) {
  return static_cast<unsigned long long>(static_cast<double>(weight) * 0x1p40);
}

struct SharedState {
  unsigned long long bins[kBins];
  unsigned long long u64_scratch[32];
  double double_scratch[32];
  double warp_prefix[kWarps];
  double total;
  float value_scratch[kWarps];
  int index_scratch[kWarps];
  int not_finite;
  int chosen_bin;
  unsigned long long below_chosen;  // what the bins above the chosen one hold
  int found;
  int last_positive;
};

// The largest value of the block and the lowest index holding it, returned to every thread.
__device__ void block_argmax(float& value, int& index, SharedState& s) {
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  for (int offset = 16; offset > 0; offset /= 2) {
    const float v = __shfl_xor_sync(0xffffffffu, value, offset);
    const int i = __shfl_xor_sync(0xffffffffu, index, offset);
    if (v > value || (v == value && i < index)) {
      value = v;
      index = i;
    }
  }
  __syncthreads();
  if (lane == 0) {
    s.value_scratch[warp] = value;
    s.index_scratch[warp] = index;
  }
  __syncthreads();
  value = s.value_scratch[0];
  index = s.index_scratch[0];
  for (int w = 1; w < kWarps; ++w) {
    if (s.value_scratch[w] > value || (s.value_scratch[w] == value && s.index_scratch[w] < index)) {
      value = s.value_scratch[w];
      index = s.index_scratch[w];
    }
  }
}

// The exclusive prefix sum of v over threads in order; the block's total lands in s.total.
__device__ double block_exclusive_scan(double v, SharedState& s) {
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  double inclusive = v;
  for (int offset = 1; offset < 32; offset *= 2) {
    const double other = __shfl_up_sync(0xffffffffu, inclusive, offset);
    if (lane >= offset) inclusive += other;
  }
  __syncthreads();
  if (lane == 31) s.warp_prefix[warp] = inclusive;
  __syncthreads();
  if (warp == 0) {
    const double own = s.warp_prefix[lane];
    double running = own;
    for (int offset = 1; offset < 32; offset *= 2) {
      const double other = __shfl_up_sync(0xffffffffu, running, offset);
      if (lane >= offset) running += other;
    }
    s.warp_prefix[lane] = running - own;
    if (lane == 31) s.total = running;
  }
  __syncthreads();
  return s.warp_prefix[warp] + inclusive - v;
}

// Radix selection over 32-bit keys, kRadixBits at a time from the top: the key at which the running
// total of weights, taken from the highest key down, first reaches target. key(i) returns whether
// element i takes part and its key; weight(i) what it adds (1 to count, a mass to weigh).
template <typename Key, typename Weight, typename Reached>
__device__ unsigned radix_select(int n, Key key, Weight weight, Reached reached, SharedState& s) {
  unsigned prefix = 0, mask = 0;
  unsigned long long above = 0;
  for (int shift = 32 - kRadixBits; shift >= 0; shift -= kRadixBits) {
    for (int b = threadIdx.x; b < kBins; b += kThreads) s.bins[b] = 0;
    __syncthreads();
    for (int i = threadIdx.x; i < n; i += kThreads) {
      unsigned k = 0;
      if (key(i, k) && (k & mask) == prefix) atomicAdd(&s.bins[(k >> shift) & (kBins - 1)], weight(i));
    }
    __syncthreads();
    if (threadIdx.x == 0) {
      unsigned long long running = above;
      int chosen = 0;
      for (int b = kBins - 1; b >= 0; --b) {
        if (reached(running + s.bins[b])) {
          chosen = b;
          break;
        }
        running += s.bins[b];
      }
      s.chosen_bin = chosen;
      s.below_chosen = running;
    }
    __syncthreads();
    prefix |= static_cast<unsigned>(s.chosen_bin) << shift;
    mask |= static_cast<unsigned>(kBins - 1) << shift;
    above = s.below_chosen;
    __syncthreads();
  }
  return prefix;
}

__global__ void __launch_bounds__(kThreads) sample_kernel(float* logits, int n, const SamplingRow* rows,
                                                          const PenaltyEntry* penalties, std::int32_t* out) {
  detail::wait_for_prior_kernels();
  detail::allow_dependent_kernels();
  __shared__ SharedState s;
  const SamplingRow p = rows[blockIdx.x];
  float* row = logits + static_cast<std::size_t>(blockIdx.x) * n;

  // The penalties, as SequencePenaltyState::apply computes them (each rounding made explicit so that
  // no multiply-add is fused where the CPU rounds twice).
  for (int i = threadIdx.x; i < p.penalty_count; i += kThreads) {
    const PenaltyEntry e = penalties[p.penalty_offset + i];
    float logit = row[e.id];
    if (p.repetition_penalty != 1.0f) {
      logit = logit < 0 ? __fmul_rn(logit, p.repetition_penalty) : __fdiv_rn(logit, p.repetition_penalty);
    }
    if (e.generated > 0) {
      logit = __fsub_rn(logit, __fadd_rn(p.presence_penalty,
                                         __fmul_rn(p.frequency_penalty, static_cast<float>(e.generated))));
    }
    row[e.id] = logit;
  }
  if (threadIdx.x == 0) s.not_finite = 0;
  __syncthreads();

  float max = -INFINITY;
  int argmax = INT_MAX;
  bool not_finite = false;
  for (int i = threadIdx.x; i < n; i += kThreads) {
    const float logit = row[i];
    not_finite |= !(logit < INFINITY);
    if (logit > max) {
      max = logit;
      argmax = i;
    }
  }
  if (not_finite) s.not_finite = 1;
  block_argmax(max, argmax, s);
  if (s.not_finite != 0 || max == -INFINITY) {
    if (threadIdx.x == 0) out[blockIdx.x] = s.not_finite != 0 ? kSampleNotFinite : kSampleAllMasked;
    return;
  }
  if (p.temperature == 0.0f) {
    if (threadIdx.x == 0) out[blockIdx.x] = argmax;
    return;
  }

  // Top-k on the untempered logits: the k-th highest, every logit tied with it kept.
  float floor = -INFINITY;
  if (p.top_k > 0 && p.top_k < n) {
    const auto k = static_cast<unsigned long long>(p.top_k);
    const unsigned key = radix_select(
        n, [&](int i, unsigned& key_out) { key_out = ordered_key(row[i]); return true; },
        [](int) { return 1ull; }, [k](unsigned long long count) { return count >= k; }, s);
    floor = from_ordered_key(key);
  }
  const float temperature = p.temperature;
  const auto weight_of = [&](int i) {
    const float logit = row[i];
    return logit != -INFINITY && logit >= floor ? expf((logit - max) / temperature) : -1.0f;
  };

  // Top-p: the weight of the least likely token of the nucleus; min-p: a floor relative to the most
  // likely token, whose weight is 1.
  float keep_from = p.min_p;
  if (p.top_p < 1.0f) {
    unsigned long long mass = 0;
    for (int i = threadIdx.x; i < n; i += kThreads) {
      const float w = weight_of(i);
      if (w > 0) mass += fixed_point(w);
    }
    const double target = static_cast<double>(p.top_p) * static_cast<double>(detail::block_sum(mass, s.u64_scratch));
    const unsigned bits = radix_select(
        n,
        [&](int i, unsigned& key_out) {
          const float w = weight_of(i);
          key_out = __float_as_uint(w);  // non-negative floats sort as their bits
          return w >= 0;
        },
        [&](int i) { return fixed_point(weight_of(i)); },
        [target](unsigned long long reached) { return static_cast<double>(reached) >= target; }, s);
    keep_from = fmaxf(keep_from, __uint_as_float(bits));
  }
  const auto kept_weight = [&](int i) {
    const float w = weight_of(i);
    return w >= keep_from && w >= 0 ? w : 0.0f;
  };

  // The draw: the first kept token, in id order, whose cumulative weight passes uniform * total.
  // Each thread owns a contiguous range of ids so that a prefix sum over threads orders the row.
  const int per_thread = (n + kThreads - 1) / kThreads;
  const int begin = min(n, static_cast<int>(threadIdx.x) * per_thread), end = min(n, begin + per_thread);
  double local = 0;
  int last_positive = -1;
  for (int i = begin; i < end; ++i) {
    const float w = kept_weight(i);
    local += w;
    if (w > 0) last_positive = i;
  }
  if (threadIdx.x == 0) {
    s.found = INT_MAX;
    s.last_positive = -1;
  }
  const double before = block_exclusive_scan(local, s);
  const double target = p.uniform * s.total;
  if (last_positive >= 0) atomicMax(&s.last_positive, last_positive);
  if (local > 0 && before <= target && before + local > target) {
    double cumulative = before;
    for (int i = begin; i < end; ++i) {
      cumulative += kept_weight(i);
      if (cumulative > target) {
        atomicMin(&s.found, i);
        break;
      }
    }
  }
  __syncthreads();
  // A target a rounding error below the total can pass every range: the last token with weight then.
  if (threadIdx.x == 0) out[blockIdx.x] = s.found != INT_MAX ? s.found : s.last_positive;
}

}  // namespace

void sample_rows(cudaStream_t stream, float* logits, std::size_t count, std::size_t vocab, const SamplingRow* rows,
                 const PenaltyEntry* penalties, std::int32_t* out) {
  if (count == 0 || vocab == 0) return;
  if (vocab > static_cast<std::size_t>(INT_MAX)) fail("sample_rows: a vocabulary of ", vocab, " tokens is too large");
  detail::launch_dependent("sample_kernel", sample_kernel, static_cast<unsigned>(count), kThreads, 0, stream, logits,
                           static_cast<int>(vocab), rows, penalties, out);
}

}  // namespace qwenrt::cuda
