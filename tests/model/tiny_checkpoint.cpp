#include "tiny_checkpoint.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "core/error.h"

namespace qwenrt::model::testing {

namespace {

std::string encode(const std::string& dtype, const std::vector<float>& values) {
  if (dtype == "BF16") return bf16_bytes(values);
  if (dtype == "F16") return f16_bytes(values);
  return f32_bytes(values);
}

struct TensorList {
  const TinyModel& model;
  std::vector<TensorData> tensors;

  void add(const std::string& name, std::vector<std::size_t> shape) {
    std::size_t count = 1;
    for (std::size_t d : shape) count *= d;
    tensors.push_back({name, model.dtype, std::move(shape), encode(model.dtype, tensor_values(name, count))});
  }
};

}  // namespace

TinyModel tiny_model(ModelFamily family) {
  TinyModel model;
  model.family = family;
  if (family == ModelFamily::kQwenV1) model.kv_heads = model.heads;
  if (family == ModelFamily::kQwen3) {
    model.head_dim = 16;
    model.tie_word_embeddings = true;
  }
  return model;
}

std::vector<float> tensor_values(std::string_view name, std::size_t count) {
  std::uint64_t state = 1469598103934665603ull;  // FNV-1a of the name seeds the generator
  for (char c : name) state = (state ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  std::vector<float> values(count);
  for (float& v : values) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    v = static_cast<float>(static_cast<int>((state >> 40) % 256) - 128) / 64.0f;
  }
  return values;
}

nlohmann::json tiny_config(const TinyModel& m) {
  nlohmann::json config = {
      {"hidden_size", m.hidden},
      {"num_hidden_layers", m.layers},
      {"num_attention_heads", m.heads},
      {"vocab_size", m.vocab},
      {"max_position_embeddings", m.max_positions},
      {"tie_word_embeddings", m.tie_word_embeddings},
      {"torch_dtype", "bfloat16"},
      {"transformers_version", "4.51.0"},
      {"use_cache", true},
  };
  if (m.family == ModelFamily::kQwenV1) {
    config["architectures"] = {"QWenLMHeadModel"};
    config["model_type"] = "qwen";
    config["intermediate_size"] = 2 * m.intermediate;
    config["kv_channels"] = m.head_dim;
    config["layer_norm_epsilon"] = 1e-6;
    config["rotary_emb_base"] = 10000;
    config["rotary_pct"] = 1.0;
    config["seq_length"] = 128;
    config["use_dynamic_ntk"] = true;
    config["use_logn_attn"] = true;
    config["no_bias"] = true;
    return config;
  }
  const bool qwen3 = m.family == ModelFamily::kQwen3;
  config["architectures"] = {qwen3 ? "Qwen3ForCausalLM" : "Qwen2ForCausalLM"};
  config["model_type"] = qwen3 ? "qwen3" : "qwen2";
  config["intermediate_size"] = m.intermediate;
  config["num_key_value_heads"] = m.kv_heads;
  config["rms_norm_eps"] = 1e-6;
  config["hidden_act"] = "silu";
  config["use_sliding_window"] = false;
  config["sliding_window"] = nullptr;
  config["eos_token_id"] = 2;
  if (qwen3) config["head_dim"] = m.head_dim;
  if (m.rope_style == RopeStyle::kTopLevel) {
    config["rope_theta"] = 1000000.0;
  } else {
    config["rope_parameters"] = {{"rope_theta", 1000000.0}, {"rope_type", "default"}};
  }
  return config;
}

std::vector<TensorData> tiny_tensors(const TinyModel& m) {
  TensorList list{m, {}};
  const std::size_t q = m.heads * m.head_dim;
  const std::size_t kv = m.kv_heads * m.head_dim;
  if (m.family == ModelFamily::kQwenV1) {
    list.add("transformer.wte.weight", {m.vocab, m.hidden});
    for (std::size_t i = 0; i < m.layers; ++i) {
      const std::string p = str_cat("transformer.h.", i, ".");
      list.add(p + "ln_1.weight", {m.hidden});
      list.add(p + "attn.c_attn.weight", {3 * q, m.hidden});
      list.add(p + "attn.c_attn.bias", {3 * q});
      list.add(p + "attn.c_proj.weight", {m.hidden, q});
      list.add(p + "ln_2.weight", {m.hidden});
      list.add(p + "mlp.w1.weight", {m.intermediate, m.hidden});
      list.add(p + "mlp.w2.weight", {m.intermediate, m.hidden});
      list.add(p + "mlp.c_proj.weight", {m.hidden, m.intermediate});
    }
    list.add("transformer.ln_f.weight", {m.hidden});
    if (!m.tie_word_embeddings) list.add("lm_head.weight", {m.vocab, m.hidden});
    return list.tensors;
  }
  list.add("model.embed_tokens.weight", {m.vocab, m.hidden});
  for (std::size_t i = 0; i < m.layers; ++i) {
    const std::string p = str_cat("model.layers.", i, ".");
    list.add(p + "input_layernorm.weight", {m.hidden});
    list.add(p + "self_attn.q_proj.weight", {q, m.hidden});
    list.add(p + "self_attn.k_proj.weight", {kv, m.hidden});
    list.add(p + "self_attn.v_proj.weight", {kv, m.hidden});
    if (m.family == ModelFamily::kQwen2) {
      list.add(p + "self_attn.q_proj.bias", {q});
      list.add(p + "self_attn.k_proj.bias", {kv});
      list.add(p + "self_attn.v_proj.bias", {kv});
    } else {
      list.add(p + "self_attn.q_norm.weight", {m.head_dim});
      list.add(p + "self_attn.k_norm.weight", {m.head_dim});
    }
    list.add(p + "self_attn.o_proj.weight", {m.hidden, q});
    list.add(p + "post_attention_layernorm.weight", {m.hidden});
    list.add(p + "mlp.gate_proj.weight", {m.intermediate, m.hidden});
    list.add(p + "mlp.up_proj.weight", {m.intermediate, m.hidden});
    list.add(p + "mlp.down_proj.weight", {m.hidden, m.intermediate});
  }
  list.add("model.norm.weight", {m.hidden});
  if (!m.tie_word_embeddings) list.add("lm_head.weight", {m.vocab, m.hidden});
  return list.tensors;
}

void write_checkpoint(const std::filesystem::path& dir, const nlohmann::json& config,
                      const std::vector<TensorData>& tensors, std::size_t shards) {
  write_file(dir / "config.json", config.dump(2));
  if (shards == 1) {
    write_file(dir / "model.safetensors", safetensors_bytes(tensors, {{"format", "pt"}}));
    return;
  }
  nlohmann::json weight_map = nlohmann::json::object();
  std::size_t total_size = 0;
  const std::size_t per_shard = (tensors.size() + shards - 1) / shards;
  for (std::size_t s = 0; s < shards; ++s) {
    const std::string file = str_cat("model-0000", s + 1, "-of-0000", shards, ".safetensors");
    std::vector<TensorData> part;
    for (std::size_t i = s * per_shard; i < std::min(tensors.size(), (s + 1) * per_shard); ++i) {
      part.push_back(tensors[i]);
      weight_map[tensors[i].name] = file;
      total_size += tensors[i].bytes.size();
    }
    write_file(dir / file, safetensors_bytes(part, {{"format", "pt"}}));
  }
  const nlohmann::json index = {{"metadata", {{"total_size", total_size}}}, {"weight_map", weight_map}};
  write_file(dir / "model.safetensors.index.json", index.dump(2));
}

void write_tiny_checkpoint(const std::filesystem::path& dir, const TinyModel& model, std::size_t shards) {
  write_checkpoint(dir, tiny_config(model), tiny_tensors(model), shards);
}

void write_tiny_chat_model(const std::filesystem::path& dir, const std::filesystem::path& tokenizer_dir,
                           std::size_t max_positions) {
  std::filesystem::create_directories(dir);
  TinyModel tiny = tiny_model(ModelFamily::kQwen2);
  tiny.vocab = 151680;
  tiny.hidden = 32;
  tiny.tie_word_embeddings = true;
  tiny.max_positions = max_positions;
  write_tiny_checkpoint(dir, tiny);
  for (const char* f : {"tokenizer.json", "tokenizer_config.json"}) {
    std::filesystem::copy_file(tokenizer_dir / f, dir / f, std::filesystem::copy_options::overwrite_existing);
  }
}

}  // namespace qwenrt::model::testing
