#include "api_test_server.h"

#include <unistd.h>

#include "model/tiny_checkpoint.h"

namespace qwenrt::server::testing {

std::filesystem::path tiny_model_dir() {
  static const std::filesystem::path dir = [] {
    const auto tokenizer_dir = std::filesystem::path(QWENRT_TESTDATA_DIR) / "tokenizer";
    if (!std::filesystem::exists(tokenizer_dir / "tokenizer.json")) {
      throw std::runtime_error("missing " + (tokenizer_dir / "tokenizer.json").string() + ": run scripts/make_testdata.sh");
    }
    const auto out = std::filesystem::temp_directory_path() / ("qwenrt_api_model_" + std::to_string(::getpid()));
    // Long enough for requests that run until the test cancels them.
    model::testing::write_tiny_chat_model(out, tokenizer_dir, /*max_positions=*/16384);
    return out;
  }();
  return dir;
}

namespace {

// Removes the model folder when the test binary exits.
struct ModelDirCleanup : ::testing::Environment {
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(std::filesystem::temp_directory_path() / ("qwenrt_api_model_" + std::to_string(::getpid())),
                                ignored);
  }
};
const auto* const cleanup = ::testing::AddGlobalTestEnvironment(new ModelDirCleanup);

}  // namespace

ApiTestServer::ApiTestServer(ApiOptions options) {
  const std::filesystem::path dir = tiny_model_dir();
  tokenizer_ = std::make_unique<tokenizer::Tokenizer>(tokenizer::Tokenizer::from_directory(dir));
  template_ = std::make_unique<tokenizer::ChatTemplate>(tokenizer::ChatTemplate::for_model(dir));
  model_ = std::make_unique<engine::LoadedModel>(engine::LoadedModel::load(dir));
  engine::BackendOptions backend;
  backend.cpu_kv_tokens = options.kv_tokens;
  backend.cpu_threads = 1;
  backend_ = engine::open_backend(*model_, backend);
  const std::vector<tokenizer::TokenId> eos = {*tokenizer_->added_token_id("<|im_end|>"),
                                               *tokenizer_->added_token_id("<|endoftext|>")};
  runtime::SchedulerConfig scheduler;
  scheduler.max_num_seqs = options.max_num_seqs;
  engine_ = std::make_unique<runtime::LlmEngine>(*backend_.backend, *tokenizer_, eos, scheduler);
  ApiConfig config;
  config.model_name = kModelName;
  config.max_input_len = options.max_input_len;
  config.max_new_tokens = options.max_new_tokens;
  config.max_waiting_requests = options.max_waiting_requests;
  config.generation = model_->generation;
  config.eos_token_ids = eos;
  api_ = std::make_unique<OpenAiApi>(*engine_, *tokenizer_, *template_, config);
  routes_ = api_->routes();
}

// The engine goes first, ending what is left through callbacks that hold the API's shared state.
ApiTestServer::~ApiTestServer() { engine_.reset(); }

std::shared_ptr<RecordingResponder> ApiTestServer::send(const std::string& method, const std::string& path,
                                                        const std::string& body) {
  auto responder = std::make_shared<RecordingResponder>();
  HttpRequest request{method, path, "", {{"Content-Type", "application/json"}}, body};
  for (const HttpRoute& route : routes_) {
    if (route.method == method && route.path == path) {
      route.handler(request, responder);
      return responder;
    }
  }
  ADD_FAILURE() << "no route " << method << " " << path;
  return responder;
}

std::shared_ptr<RecordingResponder> ApiTestServer::call(const std::string& method, const std::string& path,
                                                        const std::string& body) {
  auto responder = send(method, path, body);
  EXPECT_TRUE(responder->wait_complete()) << method << " " << path << " got no complete answer";
  return responder;
}

std::vector<nlohmann::json> stream_chunks(const RecordingResponder& responder) {
  const std::vector<std::string> events = responder.events();
  std::vector<nlohmann::json> chunks;
  EXPECT_FALSE(events.empty());
  if (events.empty()) return chunks;
  EXPECT_EQ(events.back(), "[DONE]");
  for (std::size_t i = 0; i + 1 < events.size(); ++i) chunks.push_back(nlohmann::json::parse(events[i]));
  return chunks;
}

}  // namespace qwenrt::server::testing
