// Qwen2.5-7B's configuration (its config.json's shapes), for the benchmarks of host work that plan or
// schedule its steps without loading a model.
#pragma once

#include "model/model_config.h"

namespace qwenrt::bench_support {

inline model::ModelConfig qwen25_7b_config() {
  model::ModelConfig c;
  c.family = model::ModelFamily::kQwen2;
  c.hidden_size = 3584;
  c.num_layers = 28;
  c.num_heads = 28;
  c.num_kv_heads = 4;
  c.head_dim = 128;
  c.rotary_dim = 128;
  c.vocab_size = 152064;
  c.rope_theta = 1e6;
  c.seq_length = 32768;
  c.max_position_embeddings = 32768;
  return c;
}

}  // namespace qwenrt::bench_support
