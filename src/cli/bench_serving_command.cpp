// `qwenrt bench serving`: online serving performance of a running OpenAI-compatible server (`qwenrt
// serve`, vLLM, ...) as vLLM's benchmark_serving.py measures it: ShareGPT requests streamed at Poisson
// arrival times, each chunk timed as it arrives (cli/bench/serving_run.h).
#include <cmath>
#include <filesystem>
#include <iostream>
#include <limits>
#include <memory>

#include "cli/bench/serving_run.h"
#include "cli/bench_dataset_flags.h"
#include "cli/commands.h"
#include "core/error.h"

namespace qwenrt::cli {
namespace {

struct ServingCommandOptions {
  std::string base_url = "http://127.0.0.1:8000";
  std::string endpoint = "/v1/completions";
  std::string model;
  std::string tokenizer_dir;
  BenchDatasetFlags data;
  std::string request_rate = "inf";
  std::size_t max_concurrency = 0;
  bool json = false;
};

double parse_rate(const std::string& text) {
  if (text == "inf") return std::numeric_limits<double>::infinity();
  std::size_t used = 0;
  double rate = 0;
  try {
    rate = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || !(rate > 0) || std::isinf(rate)) {
    fail("--request-rate: expected requests per second (> 0) or inf, got \"", text, "\"");
  }
  return rate;
}

// vLLM takes the tokenizer from --model when it names a folder; so does this.
std::string tokenizer_folder(const ServingCommandOptions& opt) {
  if (!opt.tokenizer_dir.empty()) return opt.tokenizer_dir;
  if (!opt.model.empty() && std::filesystem::is_directory(opt.model)) return opt.model;
  fail("--tokenizer DIR is needed to count the dataset's tokens: the model folder the server runs");
}

void run_serving(const ServingCommandOptions& opt) {
  bench::ServingOptions options;
  options.server = bench::HttpServer::from_base_url(opt.base_url);
  options.endpoint = opt.endpoint;
  options.request_rate = parse_rate(opt.request_rate);
  options.max_concurrency = opt.max_concurrency;
  options.seed = opt.data.seed;
  const std::vector<bench::ShareGptConversation> conversations = opt.data.read();
  const tokenizer::Tokenizer tokenizer = tokenizer::Tokenizer::from_directory(tokenizer_folder(opt));
  options.model = opt.model.empty() ? bench::served_model(options.server) : opt.model;
  const std::vector<bench::SampledRequest> requests =
      opt.data.sample(conversations, tokenizer, {{"server", options.server.url()}, {"model", options.model}});
  std::cerr << "serving " << requests.size() << " requests to " << options.server.url() << opt.endpoint << " ("
            << options.model << "), request rate " << opt.request_rate << "/s, max concurrency "
            << (opt.max_concurrency == 0 ? std::string("none") : std::to_string(opt.max_concurrency)) << "\n";

  const bench::ServingRun run = bench::run_serving(options, requests);
  nlohmann::ordered_json report = {
      {"backend", "openai-completions"},
      {"base_url", options.server.url()},
      {"endpoint", options.endpoint},
      {"model", options.model},
      {"dataset", opt.data.dataset},
      {"num_prompts", requests.size()},
      {"seed", opt.data.seed},
      {"request_rate", opt.request_rate},
      {"max_concurrency", opt.max_concurrency},
  };
  report.update(bench::summarize_requests(run.records, run.elapsed_seconds));
  bench::print_report(std::cout, "Serving Benchmark Result", report, opt.json);
  if (report["completed"] == 0) fail("every request failed, the first with: ", run.records.front().error);
}

}  // namespace

void add_bench_serving_command(CLI::App& bench) {
  auto opt = std::make_shared<ServingCommandOptions>();
  CLI::App* cmd = bench.add_subcommand(
      "serving",
      "Online serving benchmark against a running OpenAI-compatible server, as vLLM's benchmark_serving.py: "
      "ShareGPT requests streamed at Poisson arrival times (EOS ignored), TTFT, TPOT, ITL and end-to-end latency");
  cmd->add_option("--base-url", opt->base_url, "The server, http://HOST:PORT")->capture_default_str();
  cmd->add_option("--endpoint", opt->endpoint, "/v1/completions, or /v1/chat/completions (the prompt as a user message)")
      ->capture_default_str();
  cmd->add_option("--model", opt->model, "The served model's name (default: the first of GET /v1/models)");
  cmd->add_option("--tokenizer", opt->tokenizer_dir, "Model folder whose tokenizer counts the dataset's tokens (default: --model, when it is a folder)");
  opt->data.add_to(*cmd);
  cmd->add_option("--request-rate", opt->request_rate, "Requests per second, Poisson arrivals; inf sends all at once")
      ->capture_default_str();
  cmd->add_option("--max-concurrency", opt->max_concurrency, "Most requests in flight at once (0: no limit)")
      ->capture_default_str();
  cmd->add_flag("--json", opt->json, "Print the report as JSON");
  cmd->callback([opt] { run_serving(*opt); });
}

}  // namespace qwenrt::cli
