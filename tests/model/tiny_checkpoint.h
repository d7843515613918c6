// Test helper: tiny but complete Qwen checkpoints of each family (config.json in the family's own
// spelling plus every tensor its Hugging Face model saves), with deterministic tensor values that
// tests can regenerate to check each view points at the right bytes.
#pragma once

#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "model/model_config.h"
#include "safetensors_writer.h"

namespace qwenrt::model::testing {

// Where config.json puts rope_theta: at the top (transformers 4 and the hub) or in rope_parameters
// (transformers 5).
enum class RopeStyle { kTopLevel, kRopeParameters };

struct TinyModel {
  ModelFamily family = ModelFamily::kQwen2;
  std::size_t hidden = 32;
  std::size_t intermediate = 48;  // the MLP width (Qwen v1's config.json gets twice this)
  std::size_t layers = 2;
  std::size_t heads = 4;
  std::size_t kv_heads = 2;  // Qwen v1 has none of its own: must equal heads there
  std::size_t head_dim = 8;
  std::size_t vocab = 64;
  bool tie_word_embeddings = false;
  std::size_t max_positions = 256;  // max_position_embeddings: the context a model is served with
  std::string dtype = "BF16";
  RopeStyle rope_style = RopeStyle::kTopLevel;
};

// Typical small dimensions for a family: Qwen3 gets head_dim 16 so q_dim (64) differs from hidden.
TinyModel tiny_model(ModelFamily family);

nlohmann::json tiny_config(const TinyModel& model);

// Every tensor the family's checkpoint holds, values from tensor_values.
std::vector<TensorData> tiny_tensors(const TinyModel& model);

// The values a tiny tensor holds: multiples of 1/64 in [-2, 2), exact in BF16, F16 and F32, from a
// generator seeded by the name.
std::vector<float> tensor_values(std::string_view name, std::size_t count);

// Writes config.json and the tensors: model.safetensors for one shard, else
// model-0000i-of-0000n.safetensors files and model.safetensors.index.json.
void write_checkpoint(const std::filesystem::path& dir, const nlohmann::json& config,
                      const std::vector<TensorData>& tensors, std::size_t shards = 1);

void write_tiny_checkpoint(const std::filesystem::path& dir, const TinyModel& model, std::size_t shards = 1);

// A tiny random-weight Qwen2 model that carries the whole Qwen vocabulary (151,680 ids, added tokens
// included) with the real tokenizer.json and tokenizer_config.json from tokenizer_dir, so that every
// piece of a chat runs on it: template, tokenizer, forward pass, sampling, detokenizer.
void write_tiny_chat_model(const std::filesystem::path& dir, const std::filesystem::path& tokenizer_dir,
                           std::size_t max_positions = 256);

}  // namespace qwenrt::model::testing
