#include "model/model_config.h"

#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/file_io.h"
#include "model/json_fields.h"

namespace qwenrt::model {

namespace {

struct Architecture {
  std::string_view class_name;  // architectures[0]
  std::string_view model_type;
  ModelFamily family;
};

constexpr Architecture kArchitectures[] = {
    {"QWenLMHeadModel", "qwen", ModelFamily::kQwenV1},
    {"Qwen2ForCausalLM", "qwen2", ModelFamily::kQwen2},
    {"Qwen3ForCausalLM", "qwen3", ModelFamily::kQwen3},
};
constexpr std::string_view kSupportedClasses = "QWenLMHeadModel, Qwen2ForCausalLM, Qwen3ForCausalLM";
constexpr std::string_view kSupportedTypes = "qwen, qwen2, qwen3";

// Every size must fit an int32 so that kernels may index with int and products of two sizes
// (a weight matrix's element count) cannot overflow size_t.
constexpr std::int64_t kMaxSize = std::numeric_limits<std::int32_t>::max();

std::size_t read_size(const JsonFields& fields, std::string_view key) {
  const std::int64_t value = fields.get_int(key);
  if (value < 1 || value > kMaxSize) {
    fields.fail_at(key, str_cat("must be between 1 and ", kMaxSize, ", got ", value));
  }
  return static_cast<std::size_t>(value);
}

std::optional<std::size_t> read_optional_size(const JsonFields& fields, std::string_view key) {
  if (!fields.has(key)) return std::nullopt;
  return read_size(fields, key);
}

double read_positive(const JsonFields& fields, std::string_view key) {
  const double value = fields.get_number(key);
  if (!(value > 0) || !std::isfinite(value)) fields.fail_at(key, str_cat("must be positive, got ", value));
  return value;
}

const Architecture& read_architecture(const JsonFields& fields) {
  std::optional<std::string> class_name;
  if (const nlohmann::json* list = fields.find("architectures")) {
    if (!list->is_array() || list->empty() || !(*list)[0].is_string()) {
      fields.fail_at("architectures", "expected a non-empty list of class names");
    }
    class_name = (*list)[0].get<std::string>();
  }
  const std::optional<std::string> model_type = fields.opt_string("model_type");
  if (!class_name && !model_type) {
    fail(fields.source(), ": missing key \"architectures\" (and \"model_type\")");
  }

  const Architecture* match = nullptr;
  for (const Architecture& arch : kArchitectures) {
    if (class_name ? arch.class_name == *class_name : arch.model_type == *model_type) match = &arch;
  }
  if (match == nullptr && class_name) {
    fail(fields.source(), ": unsupported architecture ", *class_name, " (supported: ", kSupportedClasses,
         ")");
  }
  if (match == nullptr) {
    fail(fields.source(), ": unsupported model_type ", *model_type, " (supported: ", kSupportedTypes, ")");
  }
  if (model_type && *model_type != match->model_type) {
    fields.fail_at("model_type", str_cat("\"", *model_type, "\" contradicts architecture ", match->class_name,
                                         " (expected \"", match->model_type, "\")"));
  }
  return *match;
}

// Only plain RoPE is implemented; YaRN, linear or dynamic scaling change every position's angles,
// so a config asking for one must not load silently.
void require_default_rope(const JsonFields& rope, bool type_required) {
  std::optional<std::string> type = rope.opt_string("rope_type");
  if (!type) type = rope.opt_string("type");
  if (!type && type_required) rope.fail_at("rope_type", "missing (RoPE scaling is set but names no type)");
  if (type && *type != "default") {
    rope.fail_at("rope_type", str_cat("\"", *type, "\" RoPE scaling is not supported (only \"default\")"));
  }
}

// transformers 4 configs (and the hub's files) write a top-level rope_theta; transformers 5 moved it
// into rope_parameters. Either is accepted; both present must agree.
double read_rope_theta(const JsonFields& fields) {
  std::optional<double> nested;
  if (const std::optional<JsonFields> params = fields.opt_object("rope_parameters")) {
    require_default_rope(*params, false);
    if (params->has("rope_theta")) nested = read_positive(*params, "rope_theta");
  }
  if (const std::optional<JsonFields> scaling = fields.opt_object("rope_scaling")) {
    require_default_rope(*scaling, true);
  }
  if (!fields.has("rope_theta")) {
    if (!nested) fail(fields.source(), ": missing key \"rope_theta\" (or \"rope_parameters.rope_theta\")");
    return *nested;
  }
  const double top = read_positive(fields, "rope_theta");
  if (nested && *nested != top) {
    fields.fail_at("rope_theta", str_cat(top, " disagrees with rope_parameters.rope_theta ", *nested));
  }
  return top;
}

void read_qwen_v1(const JsonFields& fields, ModelConfig& config) {
  // QWenLMHeadModel's MLP is w1, w2: Linear(hidden, intermediate_size / 2): its config counts both.
  const std::size_t doubled_width = read_size(fields, "intermediate_size");
  if (doubled_width % 2 != 0) {
    fields.fail_at("intermediate_size",
                   str_cat("must be even (Qwen v1 counts both MLP halves), got ", doubled_width));
  }
  config.intermediate_size = doubled_width / 2;
  config.num_heads = read_size(fields, "num_attention_heads");
  config.num_kv_heads = config.num_heads;
  config.head_dim = read_size(fields, "kv_channels");
  config.rms_norm_eps = read_positive(fields, "layer_norm_epsilon");
  config.rope_theta = read_positive(fields, "rotary_emb_base");
  config.seq_length = read_size(fields, "seq_length");
  config.qkv_bias = true;

  // Flags missing from the file take QWenConfig's defaults, as its remote code would.
  const double rotary_pct = fields.opt_number("rotary_pct").value_or(1.0);
  if (!(rotary_pct > 0 && rotary_pct <= 1)) {
    fields.fail_at("rotary_pct", str_cat("must be in (0, 1], got ", rotary_pct));
  }
  config.rotary_dim = static_cast<std::size_t>(static_cast<double>(config.head_dim) * rotary_pct);
  config.use_dynamic_ntk = fields.opt_bool("use_dynamic_ntk").value_or(true);
  config.use_logn_attn = fields.opt_bool("use_logn_attn").value_or(true);
  if (!fields.opt_bool("no_bias").value_or(true)) {
    fields.fail_at("no_bias",
                   "false (biases on every linear layer) is not supported; released Qwen v1 models use true");
  }
}

void read_qwen2_or_3(const JsonFields& fields, ModelConfig& config) {
  config.intermediate_size = read_size(fields, "intermediate_size");
  config.num_heads = read_size(fields, "num_attention_heads");
  config.num_kv_heads = read_optional_size(fields, "num_key_value_heads").value_or(config.num_heads);
  if (config.family == ModelFamily::kQwen3) {
    config.head_dim = read_size(fields, "head_dim");
  } else if (const std::optional<std::size_t> head_dim = read_optional_size(fields, "head_dim")) {
    config.head_dim = *head_dim;
  } else {
    if (config.hidden_size % config.num_heads != 0) {
      fields.fail_at("hidden_size", str_cat(config.hidden_size, " is not divisible by num_attention_heads ",
                                            config.num_heads, " (and no head_dim is given)"));
    }
    config.head_dim = config.hidden_size / config.num_heads;
  }
  config.rms_norm_eps = read_positive(fields, "rms_norm_eps");
  config.rope_theta = read_rope_theta(fields);
  config.rotary_dim = config.head_dim;
  config.qkv_bias = config.family == ModelFamily::kQwen2;
  config.qk_norm = config.family == ModelFamily::kQwen3;

  if (config.family == ModelFamily::kQwen3 && fields.opt_bool("attention_bias").value_or(false)) {
    fields.fail_at("attention_bias",
                   "true is not supported (released Qwen3 models have no attention biases)");
  }
  if (const std::optional<std::string> act = fields.opt_string("hidden_act"); act && *act != "silu") {
    fields.fail_at("hidden_act", str_cat("\"", *act, "\" is not supported (only \"silu\")"));
  }
  config.use_sliding_window = fields.opt_bool("use_sliding_window").value_or(false);
  config.sliding_window = read_optional_size(fields, "sliding_window");
  if (const std::optional<std::int64_t> layers = fields.opt_int("max_window_layers")) {
    if (*layers < 0) fields.fail_at("max_window_layers", str_cat("must not be negative, got ", *layers));
    config.max_window_layers = static_cast<std::size_t>(*layers);
  }
  if (config.use_sliding_window) {
    fields.fail_at("use_sliding_window",
                   "true is not supported (sliding-window attention is not implemented)");
  }
}

void validate(const JsonFields& fields, const ModelConfig& config) {
  if (config.num_heads % config.num_kv_heads != 0) {
    fields.fail_at("num_key_value_heads",
                   str_cat("num_attention_heads ", config.num_heads,
                           " is not a multiple of num_key_value_heads ", config.num_kv_heads));
  }
  const std::string_view head_dim_key = config.family == ModelFamily::kQwenV1 ? "kv_channels" : "head_dim";
  if (config.head_dim % 2 != 0) {
    fields.fail_at(head_dim_key, str_cat("head dimension ", config.head_dim, " must be even for RoPE"));
  }
  if (config.rotary_dim == 0 || config.rotary_dim % 2 != 0) {
    fields.fail_at("rotary_pct", str_cat("gives a rotary dimension of ", config.rotary_dim,
                                         ", which must be even and positive"));
  }
  // Special-token ids past vocab_size are not an error: the forward pass never needs them (checkpoints
  // with a cut vocabulary keep the tokenizer's ids), and stop_token_ids leaves out the ones the model
  // cannot produce.
}

}  // namespace

std::string_view family_name(ModelFamily family) {
  switch (family) {
    case ModelFamily::kQwenV1: return "Qwen v1";
    case ModelFamily::kQwen2: return "Qwen2";
    case ModelFamily::kQwen3: return "Qwen3";
  }
  return "?";
}

ModelConfig parse_model_config(std::string_view json_text, const std::string& source) {
  const nlohmann::json json = parse_json(json_text, source);
  const JsonFields fields(json, source);
  const Architecture& arch = read_architecture(fields);

  ModelConfig config;
  config.family = arch.family;
  config.architecture = std::string(arch.class_name);
  if (const std::optional<JsonFields> quantization = fields.opt_object("quantization_config")) {
    fields.fail_at("quantization_config",
                   str_cat("quantized checkpoints are not supported (quant_method ",
                           quantization->opt_string("quant_method").value_or("?"), ")"));
  }
  config.hidden_size = read_size(fields, "hidden_size");
  config.num_layers = read_size(fields, "num_hidden_layers");
  config.vocab_size = read_size(fields, "vocab_size");
  config.max_position_embeddings = read_size(fields, "max_position_embeddings");
  config.tie_word_embeddings = fields.opt_bool("tie_word_embeddings").value_or(false);
  if (arch.family == ModelFamily::kQwenV1) {
    read_qwen_v1(fields, config);
  } else {
    read_qwen2_or_3(fields, config);
  }
  config.dtype = fields.opt_string("dtype").value_or(fields.opt_string("torch_dtype").value_or(""));
  config.bos_token_id = read_token_id(fields, "bos_token_id");
  config.eos_token_ids = read_token_ids(fields, "eos_token_id");
  validate(fields, config);
  return config;
}

ModelConfig load_model_config(const std::filesystem::path& model_dir) {
  const std::filesystem::path path = model_dir / "config.json";
  return parse_model_config(read_file(path), path.string());
}

}  // namespace qwenrt::model
