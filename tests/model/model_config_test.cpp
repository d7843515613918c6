#include "model/model_config.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/file_io.h"
#include "tiny_checkpoint.h"

namespace qwenrt::model {
namespace {

using testing::RopeStyle;
using testing::tiny_config;
using testing::tiny_model;

const std::filesystem::path kData = std::filesystem::path(QWENRT_SOURCE_DIR) / "tests/model/data";

ModelConfig parse(const nlohmann::json& json) { return parse_model_config(json.dump(), "/m/config.json"); }

// The Error message parse gives for json; the test fails when parsing succeeds.
std::string parse_error(const nlohmann::json& json) {
  try {
    parse(json);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an Error for " << json.dump();
  return "";
}

TEST(ModelConfig, ReadsQwen7bV1Config) {
  const ModelConfig c = parse_model_config(read_file(kData / "qwen-7b.config.json"), "qwen-7b.config.json");
  EXPECT_EQ(c.family, ModelFamily::kQwenV1);
  EXPECT_EQ(c.architecture, "QWenLMHeadModel");
  EXPECT_EQ(c.hidden_size, 4096u);
  EXPECT_EQ(c.intermediate_size, 11008u);  // config.json's 22016 counts both w1 and w2
  EXPECT_EQ(c.num_layers, 32u);
  EXPECT_EQ(c.num_heads, 32u);
  EXPECT_EQ(c.num_kv_heads, 32u);
  EXPECT_EQ(c.head_dim, 128u);
  EXPECT_EQ(c.vocab_size, 151936u);
  EXPECT_EQ(c.max_position_embeddings, 32768u);
  EXPECT_DOUBLE_EQ(c.rms_norm_eps, 1e-6);
  EXPECT_DOUBLE_EQ(c.rope_theta, 10000.0);
  EXPECT_EQ(c.rotary_dim, 128u);
  EXPECT_TRUE(c.qkv_bias);
  EXPECT_FALSE(c.qk_norm);
  EXPECT_FALSE(c.tie_word_embeddings);
  EXPECT_EQ(c.seq_length, 8192u);
  EXPECT_TRUE(c.use_dynamic_ntk);
  EXPECT_TRUE(c.use_logn_attn);
  EXPECT_EQ(c.dtype, "");
  EXPECT_TRUE(c.eos_token_ids.empty());
}

TEST(ModelConfig, ReadsQwen25Config) {
  const ModelConfig c = parse_model_config(read_file(kData / "qwen2.5-0.5b-instruct.config.json"), "c.json");
  EXPECT_EQ(c.family, ModelFamily::kQwen2);
  EXPECT_EQ(c.hidden_size, 896u);
  EXPECT_EQ(c.intermediate_size, 4864u);
  EXPECT_EQ(c.num_layers, 24u);
  EXPECT_EQ(c.num_heads, 14u);
  EXPECT_EQ(c.num_kv_heads, 2u);
  EXPECT_EQ(c.head_dim, 64u);
  EXPECT_EQ(c.q_dim(), 896u);
  EXPECT_EQ(c.kv_dim(), 128u);
  EXPECT_DOUBLE_EQ(c.rope_theta, 1000000.0);
  EXPECT_EQ(c.rotary_dim, 64u);
  EXPECT_TRUE(c.qkv_bias);
  EXPECT_FALSE(c.qk_norm);
  EXPECT_TRUE(c.tie_word_embeddings);
  EXPECT_FALSE(c.use_sliding_window);
  EXPECT_EQ(c.sliding_window, 32768u);
  EXPECT_EQ(c.max_window_layers, 21u);
  EXPECT_EQ(c.dtype, "bfloat16");
  EXPECT_EQ(c.bos_token_id, 151643);
  EXPECT_EQ(c.eos_token_ids, std::vector<std::int32_t>{151645});
}

TEST(ModelConfig, ReadsQwen3ConfigInBothRopeStyles) {
  for (const char* file : {"qwen3-0.6b.config.json", "qwen3-0.6b.transformers5.config.json"}) {
    SCOPED_TRACE(file);
    const ModelConfig c = parse_model_config(read_file(kData / file), file);
    EXPECT_EQ(c.family, ModelFamily::kQwen3);
    EXPECT_EQ(c.hidden_size, 1024u);
    EXPECT_EQ(c.head_dim, 128u);  // explicit: q_dim 2048 is twice hidden_size
    EXPECT_EQ(c.q_dim(), 2048u);
    EXPECT_EQ(c.kv_dim(), 1024u);
    EXPECT_EQ(c.intermediate_size, 3072u);
    EXPECT_DOUBLE_EQ(c.rope_theta, 1000000.0);
    EXPECT_FALSE(c.qkv_bias);
    EXPECT_TRUE(c.qk_norm);
    EXPECT_TRUE(c.tie_word_embeddings);
    EXPECT_FALSE(c.sliding_window.has_value());
    EXPECT_EQ(c.dtype, "bfloat16");
  }
}

TEST(ModelConfig, LoadsFromCheckpointFolder) {
  testing::TempDir dir;
  testing::write_file(dir.path() / "config.json", tiny_config(tiny_model(ModelFamily::kQwen2)).dump());
  EXPECT_EQ(load_model_config(dir.path()).hidden_size, 32u);
  try {
    load_model_config(dir.path() / "absent");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("absent/config.json"), std::string::npos) << e.what();
  }
}

TEST(ModelConfig, RopeThetaFromEitherPlaceButNotContradictory) {
  auto model = tiny_model(ModelFamily::kQwen2);
  model.rope_style = RopeStyle::kRopeParameters;
  nlohmann::json json = tiny_config(model);
  json["rope_parameters"]["rope_theta"] = 5e6;
  EXPECT_DOUBLE_EQ(parse(json).rope_theta, 5e6);
  json["rope_theta"] = 5e6;  // both places, agreeing
  EXPECT_DOUBLE_EQ(parse(json).rope_theta, 5e6);
  json["rope_theta"] = 1e4;
  EXPECT_EQ(parse_error(json),
            "/m/config.json: rope_theta: 10000 disagrees with rope_parameters.rope_theta 5e+06");
  json.erase("rope_theta");
  json.erase("rope_parameters");
  EXPECT_EQ(parse_error(json),
            "/m/config.json: missing key \"rope_theta\" (or \"rope_parameters.rope_theta\")");
}

TEST(ModelConfig, RejectsRopeScaling) {
  nlohmann::json json = tiny_config(tiny_model(ModelFamily::kQwen2));
  json["rope_scaling"] = {{"type", "yarn"}, {"factor", 4.0}, {"original_max_position_embeddings", 32768}};
  EXPECT_EQ(
      parse_error(json),
      "/m/config.json: rope_scaling.rope_type: \"yarn\" RoPE scaling is not supported (only \"default\")");
  json["rope_scaling"] = nullptr;  // what the hub writes for "none"
  EXPECT_NO_THROW(parse(json));
  auto model = tiny_model(ModelFamily::kQwen3);
  model.rope_style = RopeStyle::kRopeParameters;
  json = tiny_config(model);
  json["rope_parameters"]["rope_type"] = "linear";
  EXPECT_EQ(parse_error(json),
            "/m/config.json: rope_parameters.rope_type: \"linear\" RoPE scaling is not supported (only "
            "\"default\")");
}

TEST(ModelConfig, RejectsUnsupportedArchitectures) {
  nlohmann::json json = tiny_config(tiny_model(ModelFamily::kQwen2));
  json["architectures"] = {"Qwen2MoeForCausalLM"};
  json["model_type"] = "qwen2_moe";
  EXPECT_EQ(parse_error(json),
            "/m/config.json: unsupported architecture Qwen2MoeForCausalLM (supported: QWenLMHeadModel, "
            "Qwen2ForCausalLM, Qwen3ForCausalLM)");
  json["architectures"] = {"LlamaForCausalLM"};
  EXPECT_NE(parse_error(json).find("unsupported architecture LlamaForCausalLM"), std::string::npos);
  json.erase("architectures");
  json["model_type"] = "llama";
  EXPECT_EQ(parse_error(json),
            "/m/config.json: unsupported model_type llama (supported: qwen, qwen2, qwen3)");
  json["model_type"] = "qwen3";  // model_type alone selects the family
  json["head_dim"] = 8;
  EXPECT_EQ(parse(json).family, ModelFamily::kQwen3);
  json["architectures"] = {"Qwen2ForCausalLM"};
  EXPECT_EQ(
      parse_error(json),
      "/m/config.json: model_type: \"qwen3\" contradicts architecture Qwen2ForCausalLM (expected \"qwen2\")");
  json.erase("architectures");
  json.erase("model_type");
  EXPECT_EQ(parse_error(json), "/m/config.json: missing key \"architectures\" (and \"model_type\")");
  json["architectures"] = nlohmann::json::array();
  EXPECT_EQ(parse_error(json), "/m/config.json: architectures: expected a non-empty list of class names");
}

TEST(ModelConfig, NamesMissingAndMistypedKeys) {
  const nlohmann::json base = tiny_config(tiny_model(ModelFamily::kQwen2));
  nlohmann::json json = base;
  json.erase("hidden_size");
  EXPECT_EQ(parse_error(json), "/m/config.json: missing key \"hidden_size\"");
  json = base;
  json["num_attention_heads"] = "4";
  EXPECT_EQ(parse_error(json), "/m/config.json: num_attention_heads: expected an integer, got string");
  json = base;
  json["rms_norm_eps"] = nullptr;
  EXPECT_EQ(parse_error(json), "/m/config.json: missing key \"rms_norm_eps\"");
  json = base;
  json["tie_word_embeddings"] = 1;
  EXPECT_EQ(parse_error(json), "/m/config.json: tie_word_embeddings: expected true or false, got integer");
  json = base;
  json["vocab_size"] = 64.5;
  EXPECT_EQ(parse_error(json), "/m/config.json: vocab_size: expected an integer, got number");

  nlohmann::json v1 = tiny_config(tiny_model(ModelFamily::kQwenV1));
  v1.erase("kv_channels");
  EXPECT_EQ(parse_error(v1), "/m/config.json: missing key \"kv_channels\"");
  nlohmann::json qwen3 = tiny_config(tiny_model(ModelFamily::kQwen3));
  qwen3.erase("head_dim");
  EXPECT_EQ(parse_error(qwen3), "/m/config.json: missing key \"head_dim\"");
}

TEST(ModelConfig, RejectsInvalidJson) {
  try {
    parse_model_config("{\"hidden_size\": ", "/m/config.json");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_TRUE(std::string(e.what()).starts_with("/m/config.json: invalid JSON (parse error")) << e.what();
  }
  EXPECT_EQ(parse_error(nlohmann::json::array()), "/m/config.json: expected a JSON object, got array");
}

TEST(ModelConfig, ValidatesSizes) {
  const nlohmann::json base = tiny_config(tiny_model(ModelFamily::kQwen2));
  nlohmann::json json = base;
  json["num_key_value_heads"] = 3;
  EXPECT_EQ(parse_error(json),
            "/m/config.json: num_key_value_heads: num_attention_heads 4 is not a multiple of "
            "num_key_value_heads 3");
  json = base;
  json["num_hidden_layers"] = 0;
  EXPECT_EQ(parse_error(json), "/m/config.json: num_hidden_layers: must be between 1 and 2147483647, got 0");
  json = base;
  json["hidden_size"] = -32;
  EXPECT_EQ(parse_error(json), "/m/config.json: hidden_size: must be between 1 and 2147483647, got -32");
  json = base;
  json["hidden_size"] = 30;  // not divisible by 4 heads, and Qwen2 has no head_dim key here
  EXPECT_EQ(
      parse_error(json),
      "/m/config.json: hidden_size: 30 is not divisible by num_attention_heads 4 (and no head_dim is given)");
  json = base;
  json["rms_norm_eps"] = 0;
  EXPECT_EQ(parse_error(json), "/m/config.json: rms_norm_eps: must be positive, got 0");
  json = base;
  json["eos_token_id"] = {1, -2};
  EXPECT_EQ(parse_error(json), "/m/config.json: eos_token_id: token id -2 is negative");

  nlohmann::json v1 = tiny_config(tiny_model(ModelFamily::kQwenV1));
  v1["intermediate_size"] = 97;
  EXPECT_EQ(parse_error(v1),
            "/m/config.json: intermediate_size: must be even (Qwen v1 counts both MLP halves), got 97");
  v1 = tiny_config(tiny_model(ModelFamily::kQwenV1));
  v1["rotary_pct"] = 0.5;
  EXPECT_EQ(parse(v1).rotary_dim, 4u);
  v1["rotary_pct"] = 0.25;  // 8 * 0.25 = 2 rotary dims: fine
  EXPECT_EQ(parse(v1).rotary_dim, 2u);
  v1["rotary_pct"] = 0.125;
  EXPECT_EQ(parse_error(v1),
            "/m/config.json: rotary_pct: gives a rotary dimension of 1, which must be even and positive");
}

TEST(ModelConfig, RejectsUnsupportedFeatures) {
  nlohmann::json json = tiny_config(tiny_model(ModelFamily::kQwen2));
  json["use_sliding_window"] = true;
  json["sliding_window"] = 4096;
  EXPECT_EQ(parse_error(json),
            "/m/config.json: use_sliding_window: true is not supported (sliding-window attention is not "
            "implemented)");
  json = tiny_config(tiny_model(ModelFamily::kQwen2));
  json["quantization_config"] = {{"quant_method", "gptq"}, {"bits", 4}};
  EXPECT_EQ(
      parse_error(json),
      "/m/config.json: quantization_config: quantized checkpoints are not supported (quant_method gptq)");
  json = tiny_config(tiny_model(ModelFamily::kQwen2));
  json["hidden_act"] = "gelu";
  EXPECT_EQ(parse_error(json), "/m/config.json: hidden_act: \"gelu\" is not supported (only \"silu\")");
  json = tiny_config(tiny_model(ModelFamily::kQwen3));
  json["attention_bias"] = true;
  EXPECT_NE(parse_error(json).find("attention_bias: true is not supported"), std::string::npos);
  json = tiny_config(tiny_model(ModelFamily::kQwenV1));
  json["no_bias"] = false;
  EXPECT_NE(parse_error(json).find("no_bias: false"), std::string::npos);
}

TEST(ModelConfig, QwenV1FlagsDefaultAsItsRemoteCodeDoes) {
  nlohmann::json json = tiny_config(tiny_model(ModelFamily::kQwenV1));
  json.erase("use_dynamic_ntk");
  json.erase("use_logn_attn");
  json.erase("rotary_pct");
  json["use_dynamic_ntk"] = nullptr;
  const ModelConfig c = parse(json);
  EXPECT_TRUE(c.use_dynamic_ntk);
  EXPECT_TRUE(c.use_logn_attn);
  EXPECT_EQ(c.rotary_dim, c.head_dim);
}

}  // namespace
}  // namespace qwenrt::model
