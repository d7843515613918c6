#include "engine/loaded_model.h"

namespace qwenrt::engine {

LoadedModel LoadedModel::load(const std::filesystem::path& dir) {
  LoadedModel m;
  m.dir = dir;
  m.config = model::load_model_config(dir);
  m.generation = model::load_generation_config(dir);
  m.checkpoint = std::make_unique<model::SafetensorsCheckpoint>(dir);
  m.weights = model::bind_model_weights(*m.checkpoint, m.config);
  return m;
}

}  // namespace qwenrt::engine
