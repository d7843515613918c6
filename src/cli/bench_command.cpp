// `qwenrt bench latency`: how fast one batch of prompts is prefilled and decoded, next to the bound
// that memory bandwidth sets for decoding on the same machine, measured in the same run.
#include <sys/resource.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <iostream>
#include <memory>
#include <numeric>
#include <random>

#include "cli/commands.h"
#include "cli/device_option.h"
#include "core/error.h"
#include "core/memory_bandwidth.h"
#include "engine/backend_factory.h"
#include "kernels/cpu/logits.h"
#include "kernels/cuda/device_bandwidth.h"
#include "kernels/cuda/device_info.h"

namespace qwenrt::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct LatencyOptions {
  std::string model_dir;
  std::size_t input_len = 128;
  std::size_t output_len = 256;
  std::size_t batch = 1;
  std::uint64_t seed = 0;
  bool json = false;
  DeviceFlags device;
};

// Every weight matrix is read once per decode step, whatever the batch: the bytes a step must move.
std::size_t weight_bytes_per_step(const model::ModelWeights& w) {
  std::size_t bytes = w.lm_head.bytes + w.final_norm.bytes;
  for (const model::LayerWeights& l : w.layers) {
    for (const model::TensorView* t : {&l.input_norm, &l.q_proj, &l.k_proj, &l.v_proj, &l.o_proj,
                                       &l.post_attention_norm, &l.gate_proj, &l.up_proj, &l.down_proj}) {
      bytes += t->bytes;
    }
    for (const auto* t : {&l.q_bias, &l.k_bias, &l.v_bias, &l.q_norm, &l.k_norm}) bytes += *t ? (*t)->bytes : 0;
  }
  return bytes;
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

void run_latency(const LatencyOptions& opt) {
  if (opt.input_len == 0 || opt.output_len == 0 || opt.batch == 0) fail("--input-len, --output-len and --batch must be positive");
  const engine::LoadedModel model = engine::LoadedModel::load(opt.model_dir);
  engine::BackendOptions options = opt.device.backend_options();
  const std::size_t block_size = options.block_size;
  const std::size_t blocks_per_sequence = (opt.input_len + opt.output_len + block_size - 1) / block_size;
  options.cpu_kv_tokens = blocks_per_sequence * opt.batch * block_size;
  options.gpu_kv_blocks = blocks_per_sequence * opt.batch;
  options.max_step_tokens = opt.batch * opt.input_len;
  const engine::OpenedBackend opened = engine::open_backend(model, options);
  engine::Backend* backend = opened.backend.get();
  const bool gpu = opened.device == engine::DeviceKind::kCuda;
  std::string gpu_name;
  double bandwidth = 0;
  if (gpu) {
    bandwidth = cuda::measure_device_copy_bandwidth(options.gpu);
    gpu_name = cuda::list_devices().at(static_cast<std::size_t>(options.gpu)).name;
  } else {
    bandwidth = measure_copy_bandwidth(*opened.pool);
  }
  std::vector<std::vector<std::int32_t>> block_tables(opt.batch, std::vector<std::int32_t>(blocks_per_sequence));
  for (std::size_t s = 0; s < opt.batch; ++s) {
    std::iota(block_tables[s].begin(), block_tables[s].end(), static_cast<std::int32_t>(s * blocks_per_sequence));
  }
  std::mt19937_64 rng(opt.seed);
  std::vector<std::vector<engine::TokenId>> prompts(opt.batch, std::vector<engine::TokenId>(opt.input_len));
  for (auto& p : prompts) {
    for (auto& id : p) id = static_cast<engine::TokenId>(rng() % model.config.vocab_size);
  }

  // One step yields each sequence's greedy next token; on the GPU it is chosen there, so only token ids
  // come back, as a GPU decoder would have it.
  const std::size_t vocab = model.config.vocab_size;
  std::vector<float> logits;
  std::vector<engine::TokenId> next(opt.batch);
  const std::vector<engine::TokenSampling> greedy(opt.batch);
  const auto step = [&](std::span<const engine::SequenceStep> batch) {
    if (backend->samples_on_device()) {
      backend->forward_sampled(batch, greedy, next, logits);
      return;
    }
    backend->forward(batch, logits);
    for (std::size_t s = 0; s < opt.batch; ++s) {
      next[s] = static_cast<engine::TokenId>(cpu::argmax(std::span<const float>(logits).subspan(s * vocab, vocab)));
    }
  };
  std::vector<engine::SequenceStep> steps(opt.batch);
  const auto decode_step = [&](std::size_t i) {
    for (std::size_t s = 0; s < opt.batch; ++s) steps[s] = {std::span(&next[s], 1), opt.input_len + i - 1, block_tables[s]};
    step(steps);
  };
  // Warm-up: the whole prefill and one decode step, so that the weights' pages are in, every buffer
  // is sized, and the GPU's matrix products have picked their algorithms for these exact shapes.
  for (std::size_t s = 0; s < opt.batch; ++s) steps[s] = {prompts[s], 0, block_tables[s]};
  step(steps);
  decode_step(1);

  for (std::size_t s = 0; s < opt.batch; ++s) steps[s] = {prompts[s], 0, block_tables[s]};
  const auto prefill_start = Clock::now();
  step(steps);
  const double prefill_seconds = seconds_since(prefill_start);

  const auto decode_start = Clock::now();
  for (std::size_t i = 1; i < opt.output_len; ++i) decode_step(i);
  const double decode_seconds = seconds_since(decode_start);
  const std::size_t decode_steps = opt.output_len - 1;

  const std::size_t step_bytes = weight_bytes_per_step(model.weights);
  const double prefill_tps = static_cast<double>(opt.batch * opt.input_len) / prefill_seconds;
  const double decode_tps = decode_steps ? static_cast<double>(opt.batch * decode_steps) / decode_seconds : 0.0;
  const double bound_tps = bandwidth / static_cast<double>(step_bytes) * static_cast<double>(opt.batch);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const nlohmann::json report = {
      {"model", opt.model_dir},
      {"device", engine::device_kind_name(opened.device)},
      {"threads", opened.pool ? opened.pool->size() : 0},
      {"gpu", gpu_name},
      {"batch", opt.batch},
      {"input_len", opt.input_len},
      {"output_len", opt.output_len},
      {"weights_dtype", model.config.dtype},
      {"ttft_seconds", prefill_seconds},
      {"prefill_tokens_per_s", prefill_tps},
      {"decode_tokens_per_s", decode_tps},
      {"decode_ms_per_step", decode_steps ? 1e3 * decode_seconds / static_cast<double>(decode_steps) : 0.0},
      {"weight_bytes_per_step", step_bytes},
      {"copy_bandwidth_gb_per_s", bandwidth / 1e9},
      {"decode_bound_tokens_per_s", bound_tps},
      {"decode_fraction_of_bound", decode_tps / bound_tps},
      {"peak_rss_bytes", static_cast<std::size_t>(usage.ru_maxrss) * 1024},
      {"gpu_memory_in_use_bytes", gpu ? cuda::device_memory_in_use(options.gpu) : 0},
      {"cuda_graphs", gpu && options.cuda_graphs},
      {"memory", opened.memory_report},
  };
  if (opt.json) {
    std::cout << report.dump(2) << "\n";
    return;
  }
  std::cout << "prefill: " << prefill_tps << " tokens/s (time to first token " << prefill_seconds * 1e3 << " ms)\n"
            << "decode:  " << decode_tps << " tokens/s, " << 100 * decode_tps / bound_tps << "% of the bound "
            << bound_tps << " tokens/s (" << static_cast<double>(step_bytes) / 1e9 << " GB of weights per step at "
            << bandwidth / 1e9 << " GB/s measured copy rate)\n";
}

}  // namespace

void add_bench_command(CLI::App& app) {
  CLI::App* bench = app.add_subcommand("bench", "Benchmarks");
  bench->require_subcommand(1);
  auto opt = std::make_shared<LatencyOptions>();
  CLI::App* latency = bench->add_subcommand(
      "latency", "Prefill and decode speed of one batch of random prompts (greedy, no EOS), against the bandwidth bound");
  latency->add_option("-m,--model", opt->model_dir, "Model folder")->required();
  latency->add_option("--input-len", opt->input_len, "Prompt tokens per sequence")->capture_default_str();
  latency->add_option("--output-len", opt->output_len, "Generated tokens per sequence")->capture_default_str();
  latency->add_option("--batch", opt->batch, "Sequences decoded together")->capture_default_str();
  latency->add_option("--seed", opt->seed, "Seed of the random prompts")->capture_default_str();
  latency->add_flag("--json", opt->json, "Print the report as JSON");
  opt->device.add_to(*latency);
  latency->callback([opt] { run_latency(*opt); });
  add_bench_throughput_command(*bench);
  add_bench_serving_command(*bench);
  add_bench_make_dataset_command(*bench);
}

}  // namespace qwenrt::cli
