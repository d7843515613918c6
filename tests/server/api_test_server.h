// Test harness: the OpenAI API over a real LlmEngine on the CPU backend, serving a tiny random-weight
// Qwen2 model that carries the full Qwen vocabulary (151,680 ids) with the real tokenizer and chat
// template files, so every route runs the whole path: parsing, template, tokenizer, scheduler, forward
// pass, sampling, streaming. Requests go straight to the route handlers with a RecordingResponder.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "engine/backend_factory.h"
#include "recording_responder.h"
#include "runtime/llm_engine.h"
#include "server/openai_api.h"
#include "tokenizer/chat_template.h"

namespace qwenrt::server::testing {

inline constexpr const char* kModelName = "tiny-qwen";

// The model folder, written once per test binary (a few MB).
std::filesystem::path tiny_model_dir();

struct ApiOptions {
  std::size_t max_input_len = 512;
  std::size_t max_new_tokens = 64;
  std::size_t max_waiting_requests = 0;
  std::size_t kv_tokens = 4096;
  std::size_t max_num_seqs = 16;
};

class ApiTestServer {
 public:
  explicit ApiTestServer(ApiOptions options = {});
  ~ApiTestServer();

  // Sends the request to the route and waits for its whole answer.
  std::shared_ptr<RecordingResponder> call(const std::string& method, const std::string& path,
                                           const std::string& body = "");
  // Sends it and returns at once.
  std::shared_ptr<RecordingResponder> send(const std::string& method, const std::string& path,
                                           const std::string& body = "");

  OpenAiApi& api() { return *api_; }
  runtime::LlmEngine& engine() { return *engine_; }
  const tokenizer::Tokenizer& tokenizer() const { return *tokenizer_; }

 private:
  std::unique_ptr<tokenizer::Tokenizer> tokenizer_;
  std::unique_ptr<tokenizer::ChatTemplate> template_;
  std::unique_ptr<engine::LoadedModel> model_;
  engine::OpenedBackend backend_;
  std::unique_ptr<runtime::LlmEngine> engine_;
  std::unique_ptr<OpenAiApi> api_;
  std::vector<HttpRoute> routes_;
};

// The JSON of each "data:" event before [DONE]; fails the test when the stream does not end with [DONE].
std::vector<nlohmann::json> stream_chunks(const RecordingResponder& responder);

}  // namespace qwenrt::server::testing
