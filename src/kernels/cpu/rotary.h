// Rotary position embedding in the "rotate half" (GPT-NeoX) layout used by Qwen v1, Qwen1.5/2/2.5 and
// Qwen3: within the first rotary_dim dimensions of a head, dimension i < rotary_dim / 2 pairs with
// i + rotary_dim / 2 and the pair turns by the angle position * inv_freq[i],
//   x'[i]        = x[i] cos - x[i + half] sin
//   x'[i + half] = x[i + half] cos + x[i] sin,
// with inv_freq[i] = 1 / base^(2i / rotary_dim). Dimensions from rotary_dim on are left as they are
// (partial rotary). The angles are computed once per forward step and shared by every layer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/thread_pool.h"

namespace qwenrt::cpu {

// cos and sin of every token's angles: tokens x (rotary_dim / 2) each, row-major.
struct RotaryAngles {
  std::size_t tokens = 0;
  std::size_t half_dim = 0;
  std::vector<float> cos;
  std::vector<float> sin;
};

class RotaryEmbedding {
 public:
  // rotary_dim: even, > 0. base: rope_theta (Qwen2/3), rotary_emb_base (Qwen v1), or the dynamic-NTK
  // base from qwen_v1_ntk_base. Throws Error for an odd or zero rotary_dim or a base that is not a
  // finite number > 1.
  RotaryEmbedding(std::size_t rotary_dim, double base);

  std::size_t rotary_dim() const { return rotary_dim_; }
  double base() const { return base_; }
  const std::vector<float>& inverse_frequencies() const { return inv_freq_; }

  // Fills angles for the given positions (one per token, >= 0), reusing its storage. As in the
  // reference implementations, inv_freq and each angle position * inv_freq are rounded to float, so
  // that long-context positions turn by the same angles as they do there; cos and sin of that angle
  // are then computed in double and rounded. Throws Error for a negative position.
  void compute_angles(std::span<const std::int32_t> positions, RotaryAngles& angles) const;

 private:
  std::size_t rotary_dim_;
  double base_;
  std::vector<float> inv_freq_;
};

// Rotates x [angles.tokens, num_heads, head_dim] in place (queries and keys alike).
// Throws Error when x's size or head_dim does not fit angles (2 * half_dim <= head_dim).
void apply_rotary(ThreadPool& pool, const RotaryAngles& angles, std::span<float> x, std::size_t num_heads,
                  std::size_t head_dim);

}  // namespace qwenrt::cpu
