#include "model/generation_config.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/file_io.h"
#include "model/json_fields.h"

namespace qwenrt::model {

namespace {

std::optional<std::size_t> read_optional_count(const JsonFields& fields, std::string_view key,
                                               std::int64_t min) {
  const std::optional<std::int64_t> value = fields.opt_int(key);
  if (!value) return std::nullopt;
  if (*value < min) fields.fail_at(key, str_cat("must be at least ", min, ", got ", *value));
  return static_cast<std::size_t>(*value);
}

}  // namespace

GenerationConfig parse_generation_config(std::string_view json_text, const std::string& source) {
  const nlohmann::json json = parse_json(json_text, source);
  const JsonFields fields(json, source);
  GenerationConfig config;
  config.eos_token_ids = read_token_ids(fields, "eos_token_id");
  config.pad_token_id = read_token_id(fields, "pad_token_id");
  config.bos_token_id = read_token_id(fields, "bos_token_id");
  config.do_sample = fields.opt_bool("do_sample").value_or(config.do_sample);

  config.temperature = fields.opt_number("temperature").value_or(config.temperature);
  if (!(config.temperature >= 0) || !std::isfinite(config.temperature)) {
    fields.fail_at("temperature", str_cat("must be a finite number >= 0, got ", config.temperature));
  }
  config.top_p = fields.opt_number("top_p").value_or(config.top_p);
  if (!(config.top_p > 0 && config.top_p <= 1)) {
    fields.fail_at("top_p", str_cat("must be in (0, 1], got ", config.top_p));
  }
  config.top_k = read_optional_count(fields, "top_k", 0).value_or(config.top_k);
  config.repetition_penalty = fields.opt_number("repetition_penalty").value_or(config.repetition_penalty);
  if (!(config.repetition_penalty > 0) || !std::isfinite(config.repetition_penalty)) {
    fields.fail_at("repetition_penalty",
                   str_cat("must be a finite number > 0, got ", config.repetition_penalty));
  }
  config.max_new_tokens = read_optional_count(fields, "max_new_tokens", 1);
  config.max_window_size = read_optional_count(fields, "max_window_size", 1);
  config.chat_format = fields.opt_string("chat_format").value_or("");
  return config;
}

GenerationConfig load_generation_config(const std::filesystem::path& model_dir) {
  const std::filesystem::path path = model_dir / "generation_config.json";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return GenerationConfig{};
  return parse_generation_config(read_file(path), path.string());
}

std::vector<std::int32_t> stop_token_ids(const ModelConfig& config, const GenerationConfig& generation) {
  std::vector<std::int32_t> ids;
  for (const std::vector<std::int32_t>* source : {&generation.eos_token_ids, &config.eos_token_ids}) {
    for (std::int32_t id : *source) {
      if (static_cast<std::size_t>(id) >= config.vocab_size) continue;  // the model can never produce it
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
  }
  return ids;
}

}  // namespace qwenrt::model
