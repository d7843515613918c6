// `qwenrt eval`: accuracy against Hugging Face transformers. `reference` writes what hf_reference.py
// writes (computed through qwenrt's KV cache); `compare` measures how far two such files differ.
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/device_option.h"
#include "core/error.h"
#include "core/file_io.h"
#include "engine/backend_factory.h"
#include "engine/reference_run.h"

namespace qwenrt::cli {
namespace {

struct ReferenceOptions {
  std::string model_dir;
  std::string ids;
  std::size_t steps = 16;
  std::string out;
  DeviceFlags device;
};

std::vector<engine::TokenId> parse_id_list(const std::string& text) {
  std::vector<engine::TokenId> ids;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    std::size_t used = 0;
    long long value = -1;
    try {
      value = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != item.size() || value < 0 || value > INT32_MAX) fail("--ids: '", item, "' is not a token id");
    ids.push_back(static_cast<engine::TokenId>(value));
  }
  if (ids.empty()) fail("--ids: no token ids given");
  return ids;
}

void run_reference(const ReferenceOptions& opt) {
  const auto prompt = parse_id_list(opt.ids);
  const engine::LoadedModel model = engine::LoadedModel::load(opt.model_dir);
  engine::BackendOptions options = opt.device.backend_options();
  options.cpu_kv_tokens = prompt.size() + opt.steps;
  options.gpu_kv_blocks = (options.cpu_kv_tokens + options.block_size - 1) / options.block_size;
  options.max_step_tokens = prompt.size();
  const engine::OpenedBackend opened = engine::open_backend(model, options);
  const engine::ReferenceRun run = engine::run_reference(*opened.backend, prompt, opt.steps);
  const std::string dtype = model.config.dtype.empty() ? "float32" : model.config.dtype;
  write_file(opt.out, engine::reference_to_json(run, opt.model_dir, dtype).dump());
  std::cerr << "prompt " << prompt.size() << " tokens on " << engine::device_kind_name(opened.device) << "; greedy";
  for (std::size_t i = 0; i < run.greedy_ids.size() && i < 16; ++i) std::cerr << ' ' << run.greedy_ids[i];
  std::cerr << "\n";
}

engine::ReferenceRun read_reference(const std::string& path) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::parse_error& e) {
    fail(path, ": invalid JSON (", e.what(), ")");
  }
  return engine::reference_from_json(json, path);
}

void run_compare(const std::string& a_path, const std::string& b_path) {
  const auto c = engine::compare_references(read_reference(a_path), read_reference(b_path));
  std::cout << std::setprecision(4) << "positions compared:   " << c.positions << "\n"
            << "top-1 agreement:      " << c.top1_agreements << "/" << c.positions << " ("
            << (c.positions ? 100.0 * static_cast<double>(c.top1_agreements) / static_cast<double>(c.positions) : 0.0)
            << "%)\n"
            << "max |logit diff|:     " << c.max_top20_logit_diff << " (top-20 entries), " << c.max_last_logit_diff
            << " (last logits)\n"
            << "greedy ids identical: " << c.greedy_common_prefix << "/" << c.greedy_compared << "\n";
}

}  // namespace

void add_eval_command(CLI::App& app) {
  CLI::App* eval = app.add_subcommand("eval", "Accuracy against Hugging Face transformers");
  eval->require_subcommand(1);

  auto ref = std::make_shared<ReferenceOptions>();
  CLI::App* reference = eval->add_subcommand(
      "reference", "Write hf_reference.py's JSON (top-20 logits per position and greedy step, greedy ids, last logits)");
  reference->add_option("-m,--model", ref->model_dir, "Model folder (config.json and safetensors; no tokenizer needed)")
      ->required();
  reference->add_option("--ids", ref->ids, "Prompt token ids, comma-separated")->required();
  reference->add_option("--steps", ref->steps, "Greedy steps after the prompt")->capture_default_str();
  reference->add_option("--out", ref->out, "Output JSON file")->required();
  ref->device.add_to(*reference);
  reference->callback([ref] { run_reference(*ref); });

  auto files = std::make_shared<std::pair<std::string, std::string>>();
  CLI::App* compare = eval->add_subcommand("compare", "Top-1 agreement and largest logit difference of two reference files");
  compare->add_option("a", files->first, "First JSON (e.g. transformers')")->required();
  compare->add_option("b", files->second, "Second JSON (e.g. qwenrt's)")->required();
  compare->callback([files] { run_compare(files->first, files->second); });
}

}  // namespace qwenrt::cli
