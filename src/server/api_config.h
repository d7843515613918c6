// What the OpenAI API is told about the model it serves and the limits it enforces.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "model/generation_config.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::server {

struct ApiConfig {
  std::string model_name;              // the id /v1/models lists and requests must name
  std::size_t max_input_len = 0;       // prompt tokens a request may bring (400 beyond, saying the limits)
  std::size_t max_new_tokens = 0;      // the most tokens one choice may generate (also the default)
  // Requests queued in the engine beyond which new ones get 429; 0 = no limit.
  std::size_t max_waiting_requests = 0;
  model::GenerationConfig generation;  // the model's sampling defaults
  std::vector<tokenizer::TokenId> eos_token_ids;
};

}  // namespace qwenrt::server
