// Qwen v1's two long-context adjustments (config use_dynamic_ntk and use_logn_attn), as its remote
// code modeling_qwen.py computes them (Qwen/Qwen-7B-Chat on the Hugging Face hub; a copy is on GitHub
// at undefdev/Qwen-7B-Chat). Plain arithmetic, for the CPU and CUDA paths alike. seq_length is the
// config's training context length (2048 or 8192).
#pragma once

#include <cstddef>

namespace qwenrt::cpu {

// QWenAttention.forward / QWenModel.get_ntk_alpha:
//   context_value = math.log(kv_seq_len / seq_length, 2) + 1
//   ntk_alpha = max(2 ** math.ceil(context_value) - 1, 1)
// So 1 up to seq_length tokens, 3 up to twice that, 7 up to four times, ... modeling_qwen.py takes
// kv_seq_len at the prefill (no past keys: the prompt's length) and keeps that alpha for every token
// generated after it, so the keys already cached keep their rotation. Throws Error for seq_length 0.
double qwen_v1_ntk_alpha(std::size_t context_length, std::size_t seq_length);

// RotaryEmbedding.update_rotary_pos_emb_cache:
//   base = self.base * ntk_alpha ** (self.dim / (self.dim - 2))
// with dim the rotary dimension. Throws Error for rotary_dim <= 2.
double qwen_v1_ntk_base(double base, std::size_t rotary_dim, double ntk_alpha);

// QWenAttention.__init__ builds
//   logn_list = [math.log(i, seq_length) if i > seq_length else 1 for i in range(1, 32768)]
// and forward multiplies the query at position p (0-based) by logn_list[p]: log(p + 1) / log(seq_length)
// once p + 1 exceeds seq_length, else 1. paged_attention takes it as a per-token query scale.
// Throws Error for seq_length < 2 (log(seq_length) must be positive).
float qwen_v1_logn_scale(std::size_t position, std::size_t seq_length);

}  // namespace qwenrt::cpu
