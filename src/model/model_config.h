// One normalised description of a Qwen transformer, read from the config.json of a Hugging Face
// checkpoint. Qwen v1 (QWenLMHeadModel, remote code), Qwen1.5/2/2.5 (Qwen2ForCausalLM) and Qwen3
// (Qwen3ForCausalLM) spell the same quantities differently; everything past this file sees only the
// canonical fields below.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qwenrt::model {

enum class ModelFamily { kQwenV1, kQwen2, kQwen3 };

// "Qwen v1", "Qwen2", "Qwen3".
std::string_view family_name(ModelFamily family);

struct ModelConfig {
  ModelFamily family = ModelFamily::kQwen2;
  std::string architecture;  // as config.json names it: "Qwen2ForCausalLM"

  std::size_t hidden_size = 0;
  std::size_t intermediate_size = 0;  // MLP width: rows of gate_proj/up_proj
  std::size_t num_layers = 0;
  std::size_t num_heads = 0;
  std::size_t num_kv_heads = 0;
  std::size_t head_dim = 0;
  std::size_t vocab_size = 0;
  std::size_t max_position_embeddings = 0;

  double rms_norm_eps = 0;
  double rope_theta = 0;
  std::size_t rotary_dim = 0;  // leading dimensions of each head that RoPE rotates (even, <= head_dim)

  bool qkv_bias = false;  // q/k/v projections carry a bias (Qwen v1, Qwen2)
  bool qk_norm = false;   // per-head RMSNorm on queries and keys before RoPE (Qwen3)
  bool tie_word_embeddings = false;

  // Qwen v1 only: the training context length, which its dynamic-NTK RoPE and logn attention
  // scaling measure longer sequences against.
  std::size_t seq_length = 0;
  bool use_dynamic_ntk = false;
  bool use_logn_attn = false;

  // Read for completeness; use_sliding_window=true is rejected at load time.
  bool use_sliding_window = false;
  std::optional<std::size_t> sliding_window;
  std::optional<std::size_t> max_window_layers;

  std::string dtype;  // "bfloat16" etc. from torch_dtype (transformers 4) or dtype (5); "" if absent
  std::optional<std::int32_t> bos_token_id;
  std::vector<std::int32_t> eos_token_ids;  // config.json's eos_token_id (int or list), may be empty

  std::size_t q_dim() const { return num_heads * head_dim; }
  std::size_t kv_dim() const { return num_kv_heads * head_dim; }
};

// Parses and validates config.json text; source names the file in errors. Throws Error naming the
// file and key for a missing or mistyped key, an unsupported architecture or feature, or sizes that
// do not describe a valid model.
ModelConfig parse_model_config(std::string_view json_text, const std::string& source);

// Reads model_dir/config.json.
ModelConfig load_model_config(const std::filesystem::path& model_dir);

}  // namespace qwenrt::model
