// The weights of a checkpoint bound to one canonical per-layer layout, whichever Qwen family wrote
// them, with every tensor's shape checked against the ModelConfig. Binding copies nothing: every
// field is a view into the mapped checkpoint, so the SafetensorsCheckpoint must outlive the
// ModelWeights.
#pragma once

#include <optional>
#include <vector>

#include "model/model_config.h"
#include "model/safetensors.h"
#include "model/tensor_view.h"

namespace qwenrt::model {

// Linear weights are [out_features, in_features] (PyTorch's layout); q_dim = num_heads * head_dim,
// kv_dim = num_kv_heads * head_dim.
struct LayerWeights {
  TensorView input_norm;                             // [hidden]
  TensorView q_proj;                                 // [q_dim, hidden]
  TensorView k_proj;                                 // [kv_dim, hidden]
  TensorView v_proj;                                 // [kv_dim, hidden]
  std::optional<TensorView> q_bias, k_bias, v_bias;  // [q_dim], [kv_dim], [kv_dim]: Qwen v1 and Qwen2
  std::optional<TensorView> q_norm, k_norm;          // [head_dim]: Qwen3
  TensorView o_proj;                                 // [hidden, q_dim]
  TensorView post_attention_norm;                    // [hidden]
  TensorView gate_proj;                              // [intermediate, hidden]: goes through SiLU
  TensorView up_proj;                                // [intermediate, hidden]
  TensorView down_proj;                              // [hidden, intermediate]
};

struct ModelWeights {
  TensorView embed_tokens;  // [vocab, hidden]
  std::vector<LayerWeights> layers;
  TensorView final_norm;  // [hidden]
  TensorView lm_head;     // [vocab, hidden]; embed_tokens itself when tie_word_embeddings
};

// Binds the family's tensor names (Qwen2/Qwen3 "model.layers.{i}.self_attn.q_proj.weight", Qwen v1
// "transformer.h.{i}.attn.c_attn.weight" split into q, k and v row ranges, ...) and checks shapes.
// Throws Error naming the tensor for a missing tensor or a wrong shape, and for a tensor the model
// would not use (a sign that the config does not describe this checkpoint).
ModelWeights bind_model_weights(const SafetensorsCheckpoint& checkpoint, const ModelConfig& config);

}  // namespace qwenrt::model
