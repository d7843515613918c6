// Sampling defaults and stop tokens from a checkpoint's generation_config.json. The file is optional;
// without it the values are transformers' GenerationConfig defaults (greedy decoding).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/model_config.h"

namespace qwenrt::model {

struct GenerationConfig {
  std::vector<std::int32_t> eos_token_ids;  // eos_token_id: one id or a list
  std::optional<std::int32_t> pad_token_id;
  std::optional<std::int32_t> bos_token_id;
  bool do_sample = false;
  double temperature = 1.0;
  double top_p = 1.0;
  std::size_t top_k = 50;  // 0 disables top-k
  double repetition_penalty = 1.0;
  std::optional<std::size_t> max_new_tokens;
  std::optional<std::size_t> max_window_size;  // Qwen v1: tokens of history its chat() keeps
  std::string chat_format;                     // Qwen v1: "chatml" or "raw"; "" when absent
};

// Parses generation_config.json text; source names the file in errors.
GenerationConfig parse_generation_config(std::string_view json_text, const std::string& source);

// Reads model_dir/generation_config.json, or returns the defaults when there is no such file.
GenerationConfig load_generation_config(const std::filesystem::path& model_dir);

// The ids generation stops on: generation_config.json's eos ids, then config.json's (transformers
// uses the latter when the former has none; both mark an end of text, so stopping on either is
// right), without duplicates. A chat format's end marker (<|im_end|> for Qwen v1's chatml, whose
// files list only <|endoftext|>) is the tokenizer's to add. Throws Error for an id outside the
// vocabulary.
std::vector<std::int32_t> stop_token_ids(const ModelConfig& config, const GenerationConfig& generation);

}  // namespace qwenrt::model
