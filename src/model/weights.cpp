#include "model/weights.h"

#include <initializer_list>
#include <set>
#include <string>

#include "core/error.h"

namespace qwenrt::model {

namespace {

// A dimension the config fixes, with the config.json arithmetic behind it ("hidden_size=896"), so a
// shape error can say where its expectation came from.
struct Dim {
  std::size_t value;
  std::string origin;
};

struct ExpectedDims {
  Dim hidden, q, kv, fused_qkv, intermediate, vocab, head_dim;
};

ExpectedDims expected_dims(const ModelConfig& config) {
  const bool v1 = config.family == ModelFamily::kQwenV1;
  const std::string head_dim = v1 ? "kv_channels" : "head_dim";
  const std::string kv_heads = v1 ? "num_attention_heads" : "num_key_value_heads";
  auto dim = [](std::size_t value, const std::string& formula) {
    return Dim{value, str_cat(formula, "=", value)};
  };
  return ExpectedDims{
      dim(config.hidden_size, "hidden_size"),
      dim(config.q_dim(), "num_attention_heads*" + head_dim),
      dim(config.kv_dim(), kv_heads + "*" + head_dim),
      dim(3 * config.q_dim(), "3*num_attention_heads*" + head_dim),
      dim(config.intermediate_size, v1 ? "intermediate_size/2" : "intermediate_size"),
      dim(config.vocab_size, "vocab_size"),
      dim(config.head_dim, head_dim),
  };
}

// Looks tensors up by name, checks their shapes and remembers which ones were used.
class Binder {
 public:
  Binder(const SafetensorsCheckpoint& checkpoint, const ModelConfig& config)
      : checkpoint_(checkpoint), config_(config) {}

  TensorView get(const std::string& name, std::initializer_list<const Dim*> dims) {
    if (!checkpoint_.contains(name)) {
      fail(name, ": missing from the checkpoint in ", checkpoint_.dir().string(), " (", config_.architecture,
           " needs it)");
    }
    TensorView tensor = checkpoint_.tensor(name);
    std::vector<std::size_t> expected;
    std::string origins;
    for (const Dim* dim : dims) {
      expected.push_back(dim->value);
      if (origins.find(dim->origin) == std::string::npos) {
        origins += (origins.empty() ? "" : ", ") + dim->origin;
      }
    }
    if (tensor.shape != expected) {
      fail(name, ": shape ", shape_string(tensor.shape), ", expected ", shape_string(expected),
           " (from config.json: ", origins, ")");
    }
    used_.insert(name);
    return tensor;
  }

  void mark_used(const std::string& name) { used_.insert(name); }

  // A tensor nothing binds means the config describes a different model (more layers, biases the
  // family does not have, ...): computing without it would silently give wrong results.
  void reject_unused() const {
    for (const std::string& name : checkpoint_.tensor_names()) {
      // Rotary inverse frequencies are recomputed from the config; old exports saved them.
      if (used_.count(name) != 0 || name.ends_with("rotary_emb.inv_freq")) continue;
      fail(name, ": unexpected tensor in ", checkpoint_.dir().string(), " (", config_.architecture,
           " with this config.json has no such weight)");
    }
  }

 private:
  const SafetensorsCheckpoint& checkpoint_;
  const ModelConfig& config_;
  std::set<std::string> used_;
};

LayerWeights bind_qwen_v1_layer(Binder& binder, const ExpectedDims& d, std::size_t layer) {
  const std::string prefix = str_cat("transformer.h.", layer, ".");
  LayerWeights w;
  w.input_norm = binder.get(prefix + "ln_1.weight", {&d.hidden});
  // c_attn is one Linear producing q, k and v concatenated in that order; each is a row range of
  // the same height, since Qwen v1 has as many key/value heads as query heads.
  const TensorView qkv = binder.get(prefix + "attn.c_attn.weight", {&d.fused_qkv, &d.hidden});
  const TensorView qkv_bias = binder.get(prefix + "attn.c_attn.bias", {&d.fused_qkv});
  const std::size_t q = d.q.value;
  auto rows = [&](const TensorView& t, std::size_t begin) {
    return slice_rows(t, begin, q, str_cat(t.name, "[", begin, ":", begin + q, "]"));
  };
  w.q_proj = rows(qkv, 0);
  w.k_proj = rows(qkv, q);
  w.v_proj = rows(qkv, 2 * q);
  w.q_bias = rows(qkv_bias, 0);
  w.k_bias = rows(qkv_bias, q);
  w.v_bias = rows(qkv_bias, 2 * q);
  w.o_proj = binder.get(prefix + "attn.c_proj.weight", {&d.hidden, &d.q});
  w.post_attention_norm = binder.get(prefix + "ln_2.weight", {&d.hidden});
  // Qwen v1's MLP computes w1(x) * silu(w2(x)): w2 is the gate, w1 the up projection.
  w.up_proj = binder.get(prefix + "mlp.w1.weight", {&d.intermediate, &d.hidden});
  w.gate_proj = binder.get(prefix + "mlp.w2.weight", {&d.intermediate, &d.hidden});
  w.down_proj = binder.get(prefix + "mlp.c_proj.weight", {&d.hidden, &d.intermediate});
  return w;
}

LayerWeights bind_qwen2_or_3_layer(Binder& binder, const ExpectedDims& d, const ModelConfig& config,
                                   std::size_t layer) {
  const std::string prefix = str_cat("model.layers.", layer, ".");
  const std::string attn = prefix + "self_attn.";
  LayerWeights w;
  w.input_norm = binder.get(prefix + "input_layernorm.weight", {&d.hidden});
  w.q_proj = binder.get(attn + "q_proj.weight", {&d.q, &d.hidden});
  w.k_proj = binder.get(attn + "k_proj.weight", {&d.kv, &d.hidden});
  w.v_proj = binder.get(attn + "v_proj.weight", {&d.kv, &d.hidden});
  if (config.qkv_bias) {
    w.q_bias = binder.get(attn + "q_proj.bias", {&d.q});
    w.k_bias = binder.get(attn + "k_proj.bias", {&d.kv});
    w.v_bias = binder.get(attn + "v_proj.bias", {&d.kv});
  }
  if (config.qk_norm) {
    w.q_norm = binder.get(attn + "q_norm.weight", {&d.head_dim});
    w.k_norm = binder.get(attn + "k_norm.weight", {&d.head_dim});
  }
  w.o_proj = binder.get(attn + "o_proj.weight", {&d.hidden, &d.q});
  w.post_attention_norm = binder.get(prefix + "post_attention_layernorm.weight", {&d.hidden});
  w.gate_proj = binder.get(prefix + "mlp.gate_proj.weight", {&d.intermediate, &d.hidden});
  w.up_proj = binder.get(prefix + "mlp.up_proj.weight", {&d.intermediate, &d.hidden});
  w.down_proj = binder.get(prefix + "mlp.down_proj.weight", {&d.hidden, &d.intermediate});
  return w;
}

}  // namespace

ModelWeights bind_model_weights(const SafetensorsCheckpoint& checkpoint, const ModelConfig& config) {
  const ExpectedDims d = expected_dims(config);
  const bool v1 = config.family == ModelFamily::kQwenV1;
  Binder binder(checkpoint, config);
  ModelWeights weights;
  weights.embed_tokens =
      binder.get(v1 ? "transformer.wte.weight" : "model.embed_tokens.weight", {&d.vocab, &d.hidden});
  weights.layers.reserve(config.num_layers);
  for (std::size_t layer = 0; layer < config.num_layers; ++layer) {
    weights.layers.push_back(v1 ? bind_qwen_v1_layer(binder, d, layer)
                                : bind_qwen2_or_3_layer(binder, d, config, layer));
  }
  weights.final_norm = binder.get(v1 ? "transformer.ln_f.weight" : "model.norm.weight", {&d.hidden});
  if (config.tie_word_embeddings) {
    // transformers ties the head to the embedding even when a copy was saved; do the same.
    weights.lm_head = weights.embed_tokens;
    binder.mark_used("lm_head.weight");
  } else {
    weights.lm_head = binder.get("lm_head.weight", {&d.vocab, &d.hidden});
  }
  binder.reject_unused();
  return weights;
}

}  // namespace qwenrt::model
