// RMSNorm, the normalisation of every Qwen generation: x / sqrt(mean(x^2) + eps) * weight.
#pragma once

#include <span>

#include "core/thread_pool.h"

namespace qwenrt::cpu {

// Normalises each consecutive run of weight.size() values of x into out (out may be x itself):
// out = x * (1 / sqrt(mean(x^2) + eps)) * weight, in float, in that order (as transformers does).
// For Qwen3's per-head q/k norm pass the [tokens, heads, head_dim] buffer with the head_dim weight.
// Throws Error when x is not a whole number of rows or out's size differs.
void rms_norm(ThreadPool& pool, std::span<const float> x, std::span<const float> weight, float eps,
              std::span<float> out);

// The pre-norm residual step fused into one pass per row: x += residual (x is the residual stream and
// keeps the sum), then out = rms_norm(x). out may be residual (or x, dropping the sum).
void add_rms_norm(ThreadPool& pool, std::span<float> x, std::span<const float> residual,
                  std::span<const float> weight, float eps, std::span<float> out);

}  // namespace qwenrt::cpu
