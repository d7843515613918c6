// `qwenrt bench throughput`: offline serving throughput as vLLM's benchmark_throughput.py measures it:
// requests drawn from a ShareGPT file, all submitted at once to the batching engine, each generating
// its dataset output length with EOS ignored; requests and tokens per second over the whole run, with
// each request's latencies and the engine's preemptions, prefix-cache hits and peak KV-cache use.
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/bench/offline_run.h"
#include "cli/bench/step_profile_report.h"
#include "cli/bench_dataset_flags.h"
#include "cli/commands.h"
#include "cli/device_option.h"
#include "core/error.h"
#include "engine/backend_factory.h"
#include "runtime/end_of_text.h"
#include "runtime/llm_engine.h"

namespace qwenrt::cli {
namespace {

struct ThroughputOptions {
  std::string model_dir;
  BenchDatasetFlags data;
  std::optional<std::size_t> max_num_seqs;
  std::optional<std::size_t> max_num_batched_tokens;
  std::size_t kv_cache_tokens = 32768;
  std::string sampling = "greedy";
  bool json = false;
  DeviceFlags device;
};

runtime::SamplingParams sampling_params(const ThroughputOptions& opt, const model::GenerationConfig& generation) {
  runtime::SamplingParams p;
  if (opt.sampling == "greedy") {
    p.temperature = 0;
  } else {
    p = runtime::SamplingParams::from_generation_config(generation);
    p.seed = opt.data.seed;
  }
  return p;
}

nlohmann::json sampling_json(const runtime::SamplingParams& p) {
  return {{"temperature", p.temperature}, {"top_p", p.top_p}, {"top_k", p.top_k}, {"repetition_penalty", p.repetition_penalty}};
}

void check_room(const std::vector<bench::SampledRequest>& requests, std::size_t context_length) {
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const std::size_t needed = requests[i].prompt_ids.size() + requests[i].output_len;
    if (needed > context_length) {
      fail("request ", i, " (conversation ", requests[i].conversation_id, ") needs ", needed,
           " positions for its prompt and output, but one sequence may use ", context_length,
           " here (the model's maximum or the KV cache's size)");
    }
  }
}

void run_throughput(const ThroughputOptions& opt) {
  const std::vector<bench::ShareGptConversation> conversations = opt.data.read();
  const tokenizer::Tokenizer tokenizer = tokenizer::Tokenizer::from_directory(opt.model_dir);
  const engine::LoadedModel model = engine::LoadedModel::load(opt.model_dir);
  const runtime::SamplingParams params = sampling_params(opt, model.generation);
  const nlohmann::json about = {{"model", opt.model_dir}, {"sampling", sampling_json(params)}};
  const std::vector<bench::SampledRequest> requests = opt.data.sample(conversations, tokenizer, about);

  const runtime::BatchLimits limits =
      opt.device.batch_limits(runtime::Workload::kOffline, opt.max_num_seqs, opt.max_num_batched_tokens);
  engine::BackendOptions backend_options = opt.device.backend_options();
  backend_options.cpu_kv_tokens = opt.kv_cache_tokens;
  backend_options.max_step_tokens = limits.max_num_batched_tokens;
  const engine::OpenedBackend opened = engine::open_backend(model, backend_options);
  std::cerr << "qwenrt: " << opened.memory_report << "\n";
  runtime::LlmEngine engine(*opened.backend, tokenizer, runtime::end_of_text_ids(model.config, model.generation, tokenizer),
                            {.max_num_seqs = limits.max_num_seqs, .max_num_batched_tokens = limits.max_num_batched_tokens});
  check_room(requests, engine.context_length());
  // One short request first, as vLLM's engine runs a forward pass when it starts: threads, buffers
  // and kernels are ready before the clock runs. Its prompt matches no drawn one.
  engine.generate(std::vector<tokenizer::TokenId>(16, requests[0].prompt_ids[0]), [] {
    runtime::SamplingParams p;
    p.temperature = 0;
    p.max_new_tokens = 4;
    p.ignore_eos = true;
    return p;
  }());

  const bench::OfflineRun run = bench::run_offline(engine, requests, params);
  nlohmann::ordered_json report = {
      {"backend", "qwenrt"},
      {"model", opt.model_dir},
      {"device", engine::device_kind_name(opened.device)},
      {"dataset", opt.data.dataset},
      {"num_prompts", requests.size()},
      {"seed", opt.data.seed},
      {"sampling", opt.sampling},
      {"max_num_seqs", limits.max_num_seqs},
      {"max_num_batched_tokens", limits.max_num_batched_tokens},
      {"engine_steps", run.stats.steps},
      // Where the run's time went: the forward passes, the host's work between them, and waiting.
      {"forward_s", run.stats.forward_seconds},
      {"host_step_s", run.stats.step_seconds - run.stats.forward_seconds},
      {"preemptions", run.stats.preemptions},
      {"prefix_cache_hit_tokens", run.stats.cached_prompt_tokens},
      {"prefix_cache_hit_rate", run.stats.prompt_tokens > 0 ? static_cast<double>(run.stats.cached_prompt_tokens) /
                                                                  static_cast<double>(run.stats.prompt_tokens)
                                                            : 0.0},
      {"kv_blocks", run.stats.total_blocks},
      {"peak_kv_blocks", run.stats.peak_used_blocks},
      {"peak_kv_use", static_cast<double>(run.stats.peak_used_blocks) / static_cast<double>(run.stats.total_blocks)},
  };
  report.update(bench::summarize_requests(run.records, run.elapsed_seconds));
  report["step_profile"] = bench::step_profile_json(run.stats.step_profile);
  bench::print_report(std::cout, "Throughput Benchmark Result", report, opt.json);
  if (report["failed"] != 0) fail(report["failed"].get<std::size_t>(), " of ", requests.size(), " requests failed");
}

}  // namespace

void add_bench_throughput_command(CLI::App& bench) {
  auto opt = std::make_shared<ThroughputOptions>();
  CLI::App* cmd = bench.add_subcommand(
      "throughput",
      "Offline throughput on ShareGPT requests, as vLLM's benchmark_throughput.py: all submitted at once, each "
      "generating its dataset output length (EOS ignored)");
  cmd->add_option("-m,--model", opt->model_dir, "Model folder (Hugging Face layout)")->required();
  opt->data.add_to(*cmd);
  add_batch_limit_options(*cmd, runtime::Workload::kOffline, opt->max_num_seqs, opt->max_num_batched_tokens);
  cmd->add_option("--kv-cache-tokens", opt->kv_cache_tokens,
                  "CPU: tokens the KV cache holds, all requests together (CUDA sizes it from --gpu-memory-utilization)")
      ->capture_default_str();
  cmd->add_option("--sampling", opt->sampling,
                  "greedy, or model: the model's generation_config.json sampling, seeded by --seed")
      ->check(CLI::IsMember({"greedy", "model"}))
      ->capture_default_str();
  cmd->add_flag("--json", opt->json, "Print the report as JSON");
  opt->device.add_to(*cmd);
  cmd->callback([opt] { run_throughput(*opt); });
}

}  // namespace qwenrt::cli
