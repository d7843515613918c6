// A checkpoint folder opened for inference: its configs, its mapped weights bound to the canonical
// layout. Every backend starts from one of these.
#pragma once

#include <filesystem>
#include <memory>

#include "model/generation_config.h"
#include "model/model_config.h"
#include "model/safetensors.h"
#include "model/weights.h"

namespace qwenrt::engine {

struct LoadedModel {
  std::filesystem::path dir;
  model::ModelConfig config;
  model::GenerationConfig generation;
  std::unique_ptr<model::SafetensorsCheckpoint> checkpoint;  // owns the mapped files the weights view
  model::ModelWeights weights;

  // Throws Error naming the file, key or tensor at fault.
  static LoadedModel load(const std::filesystem::path& dir);
};

}  // namespace qwenrt::engine
