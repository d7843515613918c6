// `qwenrt serve`: the OpenAI-compatible API (and the web chat page) over HTTP, on the batching runtime,
// until SIGTERM or SIGINT ends it gracefully.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <optional>

#include "cli/commands.h"
#include "cli/device_option.h"
#include "cli/termination_signals.h"
#include "core/error.h"
#include "core/open_files.h"
#include "engine/backend_factory.h"
#include "runtime/end_of_text.h"
#include "runtime/llm_engine.h"
#include "server/graceful_shutdown.h"
#include "server/http_server.h"
#include "server/openai_api.h"
#include "server/web_assets.h"

namespace qwenrt::cli {
namespace {

// A few I/O threads carry every connection: answers are small writes, the engine does the work.
constexpr std::size_t kIoThreads = 4;

struct ServeOptions {
  std::string model_dir;
  std::string served_model_name;
  std::string host = "127.0.0.1";
  std::uint16_t port = 8000;
  std::optional<std::uint16_t> ui_port;
  std::string api_key;
  std::size_t max_body_bytes = 8u << 20;
  std::vector<std::string> allowed_origins = {"*"};
  double shutdown_timeout = 30;
  DeviceFlags device;
  std::optional<std::size_t> max_num_seqs;
  std::optional<std::size_t> max_num_batched_tokens;
  std::optional<std::size_t> max_input_len;
  std::optional<std::size_t> max_new_tokens;
  std::size_t kv_cache_tokens = 32768;
  std::size_t max_waiting_requests = 1024;
  bool no_prefix_caching = false;
};

// The folder's own name, as vLLM names a model served from a path.
std::string folder_name(const std::string& dir) {
  std::filesystem::path path = std::filesystem::path(dir).lexically_normal();
  if (path.filename().empty()) path = path.parent_path();
  return path.filename().string();
}

server::HttpServerConfig http_config(const ServeOptions& opt) {
  server::HttpServerConfig config;
  config.endpoints.push_back({opt.host, opt.port});
  if (opt.ui_port) config.endpoints.push_back({opt.host, *opt.ui_port});
  config.io_threads = kIoThreads;
  config.limits.max_body_bytes = opt.max_body_bytes;
  config.access.api_key = opt.api_key;
  config.access.allowed_origins = opt.allowed_origins;
  return config;
}

server::ApiConfig api_config(const ServeOptions& opt, const engine::LoadedModel& model,
                             std::vector<tokenizer::TokenId> eos_token_ids, std::size_t context_length) {
  server::ApiConfig config;
  config.model_name = opt.served_model_name.empty() ? folder_name(opt.model_dir) : opt.served_model_name;
  // A prompt must leave room for at least one generated token.
  config.max_input_len = std::min(opt.max_input_len.value_or(context_length - 1), context_length - 1);
  config.max_new_tokens = std::min(opt.max_new_tokens.value_or(context_length), context_length);
  config.max_waiting_requests = opt.max_waiting_requests;
  config.generation = model.generation;
  config.eos_token_ids = std::move(eos_token_ids);
  return config;
}

void serve(const ServeOptions& opt) {
  if (opt.ui_port && *opt.ui_port == opt.port && opt.port != 0) {
    fail("--ui-port must differ from --port (both are ", opt.port, ")");
  }
  TerminationSignals signals;  // before any thread starts, so that all of them leave the signals to wait()
  const std::uint64_t open_files = raise_open_file_limit();  // a descriptor per connection

  const tokenizer::Tokenizer tokenizer = tokenizer::Tokenizer::from_directory(opt.model_dir);
  const tokenizer::ChatTemplate chat_template = tokenizer::ChatTemplate::for_model(opt.model_dir);
  if (!chat_template.note().empty()) std::cerr << "qwenrt: note: " << chat_template.note() << "\n";
  const engine::LoadedModel model = engine::LoadedModel::load(opt.model_dir);
  const runtime::BatchLimits limits =
      opt.device.batch_limits(runtime::Workload::kServing, opt.max_num_seqs, opt.max_num_batched_tokens);
  engine::BackendOptions backend_options = opt.device.backend_options();
  backend_options.cpu_kv_tokens = opt.kv_cache_tokens;
  backend_options.max_step_tokens = limits.max_num_batched_tokens;
  const engine::OpenedBackend backend = engine::open_backend(model, backend_options);
  std::cerr << "qwenrt: " << backend.memory_report << "; batches of up to " << limits.max_num_seqs << " requests and "
            << limits.max_num_batched_tokens << " tokens a step\n";

  runtime::SchedulerConfig scheduler;
  scheduler.max_num_seqs = limits.max_num_seqs;
  scheduler.max_num_batched_tokens = limits.max_num_batched_tokens;
  scheduler.prefix_caching = !opt.no_prefix_caching;
  const auto eos_token_ids = runtime::end_of_text_ids(model.config, model.generation, tokenizer);
  runtime::LlmEngine engine(*backend.backend, tokenizer, eos_token_ids, scheduler);
  const server::ApiConfig settings = api_config(opt, model, eos_token_ids, engine.context_length());
  server::OpenAiApi api(engine, tokenizer, chat_template, settings);

  std::vector<server::HttpRoute> routes = api.routes();
  for (server::HttpRoute& route : server::web_routes()) routes.push_back(std::move(route));
  server::HttpServer http(http_config(opt), std::move(routes));
  const auto urls = http.urls();
  std::cerr << "qwenrt: serving " << settings.model_name << " (context " << engine.context_length() << " tokens) on "
            << urls[0] << (urls.size() > 1 ? " and " + urls[1] : "")
            << ": the OpenAI API under /v1, the chat page at /" << (opt.api_key.empty() ? "" : " (API key required)")
            << "; up to " << (open_files == UINT64_MAX ? std::string("unlimited") : std::to_string(open_files))
            << " open files; Ctrl-C or SIGTERM stops" << std::endl;

  const char* signal = signals.wait();
  std::cerr << "qwenrt: " << signal << " received" << std::endl;
  server::shut_down_gracefully(
      http, {[&] { api.stop_accepting(); }, [&] { return api.in_flight(); }, [&] { api.cancel_all(); }},
      {.drain = std::chrono::milliseconds(static_cast<long>(opt.shutdown_timeout * 1000))}, std::cerr);
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto opt = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve the OpenAI-compatible API and the web chat page over HTTP");
  cmd->add_option("-m,--model", opt->model_dir, "Model folder (Hugging Face layout)")->required();
  cmd->add_option("--served-model-name", opt->served_model_name,
                  "The model's name in the API (default: the folder's name)");
  cmd->add_option("--host", opt->host, "Address to listen on (0.0.0.0: every interface)")->capture_default_str();
  cmd->add_option("--port", opt->port, "Port of the API (0: any free port)")->capture_default_str();
  cmd->add_option("--ui-port", opt->ui_port, "A second port serving the same routes (e.g. 7860 for the web page)");
  cmd->add_option("--api-key", opt->api_key,
                  "Require 'Authorization: Bearer KEY' on every route but /health and the web page")
      ->envname("QWENRT_API_KEY");
  cmd->add_option("--max-body-bytes", opt->max_body_bytes, "Largest request body; larger ones get 413")
      ->capture_default_str();
  cmd->add_option("--allowed-origins", opt->allowed_origins,
                  "Browser origins allowed to call the API (CORS), comma-separated; * for any")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--shutdown-timeout", opt->shutdown_timeout,
                  "Seconds requests in flight may take to finish after SIGTERM before they are cancelled")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  opt->device.add_to(*cmd);
  add_batch_limit_options(*cmd, runtime::Workload::kServing, opt->max_num_seqs, opt->max_num_batched_tokens);
  cmd->add_option("--max-input-len", opt->max_input_len, "Longest prompt in tokens (default: the context length - 1)");
  cmd->add_option("--max-new-tokens", opt->max_new_tokens,
                  "Most tokens one answer may generate, and the default (default: the context length)");
  cmd->add_option("--kv-cache-tokens", opt->kv_cache_tokens,
                  "CPU: tokens the KV cache holds, all requests together (CUDA sizes it from --gpu-memory-utilization)")
      ->capture_default_str();
  cmd->add_option("--max-waiting-requests", opt->max_waiting_requests, "Queued requests beyond which new ones get 429")
      ->capture_default_str();
  cmd->add_flag("--no-prefix-caching", opt->no_prefix_caching, "Do not reuse the KV cache of equal prompt prefixes");
  cmd->callback([opt] { serve(*opt); });
}

}  // namespace qwenrt::cli
