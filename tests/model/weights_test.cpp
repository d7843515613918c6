#include "model/weights.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

#include "core/error.h"
#include "tiny_checkpoint.h"

namespace qwenrt::model {
namespace {

using testing::RopeStyle;
using testing::TempDir;
using testing::tensor_values;
using testing::TensorData;
using testing::tiny_model;
using testing::TinyModel;
using Shape = std::vector<std::size_t>;

std::string bind_error(const std::filesystem::path& dir) {
  try {
    const ModelConfig config = load_model_config(dir);
    const SafetensorsCheckpoint checkpoint(dir);
    bind_model_weights(checkpoint, config);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an Error";
  return "";
}

TensorData& find(std::vector<TensorData>& tensors, const std::string& name) {
  const auto it =
      std::find_if(tensors.begin(), tensors.end(), [&](const TensorData& t) { return t.name == name; });
  if (it == tensors.end()) throw std::runtime_error("test bug: no tensor " + name);
  return *it;
}

// The bind error for model m's checkpoint with tensor `name` (BF16) written in another shape.
std::string reshaped_error(const TinyModel& m, const std::string& name, const Shape& shape) {
  std::vector<TensorData> tensors = testing::tiny_tensors(m);
  TensorData& tensor = find(tensors, name);
  std::size_t count = 1;
  for (std::size_t d : shape) count *= d;
  tensor.shape = shape;
  tensor.bytes = testing::bf16_bytes(std::vector<float>(count, 0.5f));
  TempDir dir;
  testing::write_checkpoint(dir.path(), testing::tiny_config(m), tensors);
  return bind_error(dir.path());
}

void remove(std::vector<TensorData>& tensors, const std::string& name) {
  tensors.erase(
      std::find_if(tensors.begin(), tensors.end(), [&](const TensorData& t) { return t.name == name; }));
}

// The values rows [begin, begin + count) of tensor `name` (row width `width`) were written with.
std::vector<float> written_rows(const std::string& name, std::size_t rows, std::size_t width,
                                std::size_t begin, std::size_t count) {
  const std::vector<float> all = tensor_values(name, rows * width);
  return {all.begin() + static_cast<std::ptrdiff_t>(begin * width),
          all.begin() + static_cast<std::ptrdiff_t>((begin + count) * width)};
}

// family, rope style, shard count, dtype
using BindCase = std::tuple<ModelFamily, RopeStyle, std::size_t, std::string>;

class BindsEveryFamily : public ::testing::TestWithParam<BindCase> {};

TEST_P(BindsEveryFamily, ShapesAndValuesMatchTheCheckpoint) {
  const auto& [family, rope_style, shards, dtype] = GetParam();
  TinyModel m = tiny_model(family);
  m.rope_style = rope_style;
  m.dtype = dtype;
  TempDir dir;
  testing::write_tiny_checkpoint(dir.path(), m, shards);

  const ModelConfig config = load_model_config(dir.path());
  const SafetensorsCheckpoint checkpoint(dir.path());
  const ModelWeights w = bind_model_weights(checkpoint, config);
  const std::size_t q = m.heads * m.head_dim;
  const std::size_t kv = m.kv_heads * m.head_dim;

  EXPECT_EQ(checkpoint.shard_count(), shards);
  EXPECT_EQ(w.embed_tokens.shape, (Shape{m.vocab, m.hidden}));
  EXPECT_EQ(w.final_norm.shape, Shape{m.hidden});
  EXPECT_EQ(w.lm_head.shape, (Shape{m.vocab, m.hidden}));
  EXPECT_EQ(w.lm_head.data == w.embed_tokens.data, m.tie_word_embeddings);
  EXPECT_EQ(std::string(dtype_name(w.embed_tokens.dtype)), dtype);
  ASSERT_EQ(w.layers.size(), m.layers);
  for (std::size_t i = 0; i < m.layers; ++i) {
    SCOPED_TRACE(i);
    const LayerWeights& l = w.layers[i];
    EXPECT_EQ(l.input_norm.shape, Shape{m.hidden});
    EXPECT_EQ(l.q_proj.shape, (Shape{q, m.hidden}));
    EXPECT_EQ(l.k_proj.shape, (Shape{kv, m.hidden}));
    EXPECT_EQ(l.v_proj.shape, (Shape{kv, m.hidden}));
    EXPECT_EQ(l.o_proj.shape, (Shape{m.hidden, q}));
    EXPECT_EQ(l.post_attention_norm.shape, Shape{m.hidden});
    EXPECT_EQ(l.gate_proj.shape, (Shape{m.intermediate, m.hidden}));
    EXPECT_EQ(l.up_proj.shape, (Shape{m.intermediate, m.hidden}));
    EXPECT_EQ(l.down_proj.shape, (Shape{m.hidden, m.intermediate}));
    EXPECT_EQ(l.q_bias.has_value(), family != ModelFamily::kQwen3);
    EXPECT_EQ(l.q_norm.has_value(), family == ModelFamily::kQwen3);
    if (l.q_bias) {
      EXPECT_EQ(l.q_bias->shape, Shape{q});
      EXPECT_EQ(l.k_bias->shape, Shape{kv});
      EXPECT_EQ(l.v_bias->shape, Shape{kv});
    }
    if (l.q_norm) {
      EXPECT_EQ(l.q_norm->shape, Shape{m.head_dim});
      EXPECT_EQ(l.k_norm->shape, Shape{m.head_dim});
    }

    if (family == ModelFamily::kQwenV1) {
      const std::string p = str_cat("transformer.h.", i, ".");
      const std::string c_attn = p + "attn.c_attn.weight";
      EXPECT_EQ(to_float(l.q_proj), written_rows(c_attn, 3 * q, m.hidden, 0, q));
      EXPECT_EQ(to_float(l.k_proj), written_rows(c_attn, 3 * q, m.hidden, q, kv));
      EXPECT_EQ(to_float(l.v_proj), written_rows(c_attn, 3 * q, m.hidden, q + kv, kv));
      EXPECT_EQ(to_float(*l.v_bias), written_rows(p + "attn.c_attn.bias", 3 * q, 1, q + kv, kv));
      EXPECT_EQ(to_float(l.gate_proj), tensor_values(p + "mlp.w2.weight", m.intermediate * m.hidden));
      EXPECT_EQ(to_float(l.up_proj), tensor_values(p + "mlp.w1.weight", m.intermediate * m.hidden));
      EXPECT_EQ(to_float(l.down_proj), tensor_values(p + "mlp.c_proj.weight", m.intermediate * m.hidden));
    } else {
      const std::string p = str_cat("model.layers.", i, ".");
      EXPECT_EQ(to_float(l.k_proj), tensor_values(p + "self_attn.k_proj.weight", kv * m.hidden));
      EXPECT_EQ(to_float(l.gate_proj), tensor_values(p + "mlp.gate_proj.weight", m.intermediate * m.hidden));
      EXPECT_EQ(to_float(l.input_norm), tensor_values(p + "input_layernorm.weight", m.hidden));
      if (l.k_norm) {
        EXPECT_EQ(to_float(*l.k_norm), tensor_values(p + "self_attn.k_norm.weight", m.head_dim));
      }
      if (l.v_bias) {
        EXPECT_EQ(to_float(*l.v_bias), tensor_values(p + "self_attn.v_proj.bias", kv));
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Families, BindsEveryFamily,
    ::testing::Values(BindCase{ModelFamily::kQwenV1, RopeStyle::kTopLevel, 1, "BF16"},
                      BindCase{ModelFamily::kQwenV1, RopeStyle::kTopLevel, 3, "F16"},
                      BindCase{ModelFamily::kQwen2, RopeStyle::kTopLevel, 1, "BF16"},
                      BindCase{ModelFamily::kQwen2, RopeStyle::kRopeParameters, 2, "F32"},
                      BindCase{ModelFamily::kQwen3, RopeStyle::kTopLevel, 1, "BF16"},
                      BindCase{ModelFamily::kQwen3, RopeStyle::kRopeParameters, 4, "BF16"}));

TEST(BindModelWeights, QwenV1QkvAreViewsIntoTheFusedTensor) {
  const TinyModel m = tiny_model(ModelFamily::kQwenV1);
  TempDir dir;
  testing::write_tiny_checkpoint(dir.path(), m);
  const SafetensorsCheckpoint checkpoint(dir.path());
  const ModelWeights w = bind_model_weights(checkpoint, load_model_config(dir.path()));
  const TensorView fused = checkpoint.tensor("transformer.h.1.attn.c_attn.weight");
  const std::size_t q_bytes = m.heads * m.head_dim * m.hidden * 2;
  EXPECT_EQ(w.layers[1].q_proj.data, fused.data);
  EXPECT_EQ(w.layers[1].k_proj.data, fused.data + q_bytes);
  EXPECT_EQ(w.layers[1].v_proj.data, fused.data + 2 * q_bytes);
  EXPECT_EQ(w.layers[1].v_proj.bytes, q_bytes);
  EXPECT_EQ(w.layers[1].k_proj.name, "transformer.h.1.attn.c_attn.weight[32:64]");
}

TEST(BindModelWeights, WrongShapeNamesTensorAndConfigKeys) {
  TinyModel m = tiny_model(ModelFamily::kQwen2);
  m.hidden = 64;
  m.heads = 8;
  m.kv_heads = 4;
  m.layers = 4;
  // Written as if it had all 8 heads.
  EXPECT_EQ(reshaped_error(m, "model.layers.3.self_attn.k_proj.weight", {64, 64}),
            "model.layers.3.self_attn.k_proj.weight: shape [64, 64], expected [32, 64] (from config.json: "
            "num_key_value_heads*head_dim=32, hidden_size=64)");
}

TEST(BindModelWeights, QwenV1ShapeErrorsUseItsKeyNames) {
  const TinyModel m = tiny_model(ModelFamily::kQwenV1);
  // The config's undivided intermediate_size.
  EXPECT_EQ(reshaped_error(m, "transformer.h.0.mlp.w1.weight", {2 * m.intermediate, m.hidden}),
            "transformer.h.0.mlp.w1.weight: shape [96, 32], expected [48, 32] (from config.json: "
            "intermediate_size/2=48, hidden_size=32)");
  EXPECT_EQ(reshaped_error(m, "transformer.h.1.attn.c_attn.weight", {32, 96}),  // transposed
            "transformer.h.1.attn.c_attn.weight: shape [32, 96], expected [96, 32] (from config.json: "
            "3*num_attention_heads*kv_channels=96, hidden_size=32)");
}

TEST(BindModelWeights, MissingTensorIsNamed) {
  const TinyModel m = tiny_model(ModelFamily::kQwen2);
  std::vector<TensorData> tensors = testing::tiny_tensors(m);
  remove(tensors, "model.layers.1.mlp.up_proj.weight");
  TempDir dir;
  testing::write_checkpoint(dir.path(), testing::tiny_config(m), tensors, 2);
  EXPECT_EQ(bind_error(dir.path()), "model.layers.1.mlp.up_proj.weight: missing from the checkpoint in " +
                                        dir.path().string() + " (Qwen2ForCausalLM needs it)");
}

TEST(BindModelWeights, LmHeadFollowsTieWordEmbeddings) {
  TinyModel m = tiny_model(ModelFamily::kQwen2);
  m.tie_word_embeddings = false;
  std::vector<TensorData> tensors = testing::tiny_tensors(m);
  remove(tensors, "lm_head.weight");
  TempDir dir;
  testing::write_checkpoint(dir.path(), testing::tiny_config(m), tensors);
  EXPECT_EQ(bind_error(dir.path()), "lm_head.weight: missing from the checkpoint in " + dir.path().string() +
                                        " (Qwen2ForCausalLM needs it)");

  // Tied, yet a copy of the head was saved: it is ignored, as transformers ignores it.
  m.tie_word_embeddings = true;
  tensors = testing::tiny_tensors(m);
  tensors.push_back({"lm_head.weight",
                     "BF16",
                     {m.vocab, m.hidden},
                     testing::bf16_bytes(std::vector<float>(m.vocab * m.hidden, 2.0f))});
  testing::write_checkpoint(dir.path(), testing::tiny_config(m), tensors);
  const SafetensorsCheckpoint checkpoint(dir.path());
  const ModelWeights w = bind_model_weights(checkpoint, load_model_config(dir.path()));
  EXPECT_EQ(w.lm_head.data, w.embed_tokens.data);
}

TEST(BindModelWeights, RejectsTensorsTheConfigDoesNotExplain) {
  TinyModel m = tiny_model(ModelFamily::kQwen2);
  TempDir dir;
  testing::write_tiny_checkpoint(dir.path(), m);
  nlohmann::json config = testing::tiny_config(m);
  config["num_hidden_layers"] = 1;  // the checkpoint has two
  testing::write_file(dir.path() / "config.json", config.dump());
  EXPECT_EQ(bind_error(dir.path()), "model.layers.1.input_layernorm.weight: unexpected tensor in " +
                                        dir.path().string() +
                                        " (Qwen2ForCausalLM with this config.json has no such weight)");

  // A Qwen3 checkpoint described as Qwen2: the biases Qwen2 needs are missing.
  const TinyModel m3 = tiny_model(ModelFamily::kQwen3);
  testing::write_tiny_checkpoint(dir.path(), m3);
  config = testing::tiny_config(m3);
  config["architectures"] = {"Qwen2ForCausalLM"};
  config["model_type"] = "qwen2";
  testing::write_file(dir.path() / "config.json", config.dump());
  EXPECT_EQ(bind_error(dir.path()), "model.layers.0.self_attn.q_proj.bias: missing from the checkpoint in " +
                                        dir.path().string() + " (Qwen2ForCausalLM needs it)");

  // Saved rotary inverse frequencies are recomputed, so they are not an error.
  std::vector<TensorData> tensors = testing::tiny_tensors(m);
  tensors.push_back(
      {"model.layers.0.self_attn.rotary_emb.inv_freq", "F32", {4}, testing::f32_bytes({1, 2, 3, 4})});
  testing::write_checkpoint(dir.path(), testing::tiny_config(m), tensors);
  const SafetensorsCheckpoint checkpoint(dir.path());
  EXPECT_EQ(bind_model_weights(checkpoint, load_model_config(dir.path())).layers.size(), 2u);
}

TEST(BindModelWeights, UnsupportedDtypeIsNamed) {
  const TinyModel m = tiny_model(ModelFamily::kQwen3);
  std::vector<TensorData> tensors = testing::tiny_tensors(m);
  TensorData& norm = find(tensors, "model.norm.weight");
  norm.dtype = "I32";
  norm.bytes = std::string(4 * m.hidden, '\0');
  TempDir dir;
  testing::write_checkpoint(dir.path(), testing::tiny_config(m), tensors);
  EXPECT_EQ(bind_error(dir.path()),
            (dir.path() / "model.safetensors").string() +
                ": tensor model.norm.weight has dtype I32, which is not supported (supported: "
                "F32, F16, BF16)");
}

}  // namespace
}  // namespace qwenrt::model
