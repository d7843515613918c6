// Element-wise operations of the transformer block: the SwiGLU gate of the MLP and the residual add.
#pragma once

#include <span>

#include "core/thread_pool.h"

namespace qwenrt::cpu {

// out = silu(gate) * up, silu(g) = g / (1 + exp(-g)); out may be gate or up. exp is a vector
// polynomial good to a few float ulps. In Qwen2/3 gate is mlp.gate_proj's output and up is
// mlp.up_proj's; Qwen v1 computes w1(h) * silu(w2(h)), so there gate is mlp.w2 and up is mlp.w1.
void silu_mul(ThreadPool& pool, std::span<const float> gate, std::span<const float> up, std::span<float> out);

// out = a + b; out may be a or b.
void add(ThreadPool& pool, std::span<const float> a, std::span<const float> b, std::span<float> out);

}  // namespace qwenrt::cpu
