// Every refusal of the OpenAI API, through a real engine: OpenAI's error body with the right status and
// param, and nothing generated. Also the refusals that depend on the server's state: a full queue
// (429, Retry-After), shutdown (503), and a client that hangs up mid-stream (its choices cancelled).
#include <gtest/gtest.h>

#include <thread>

#include "api_test_server.h"

namespace qwenrt::server::testing {
namespace {

using nlohmann::json;

json chat(json extra = json::object()) {
  json body = {{"messages", {{{"role", "user"}, {"content", "Hi"}}}}, {"max_tokens", 4}, {"temperature", 0}};
  body.update(extra);
  return body;
}

struct Refusal {
  const char* path;
  std::string body;
  int status;
  const char* param;      // "" for none
  const char* message;    // a part of the message
};

void expect_refused(ApiTestServer& server, const Refusal& refusal) {
  const auto r = server.call("POST", refusal.path, refusal.body);
  ASSERT_EQ(r->status(), refusal.status) << refusal.body << " -> " << r->body();
  EXPECT_FALSE(r->streaming());
  const json error = r->json()["error"];
  if (*refusal.param) {
    EXPECT_EQ(error["param"], refusal.param) << r->body();
  } else {
    EXPECT_TRUE(error["param"].is_null()) << r->body();
  }
  EXPECT_NE(error["message"].get<std::string>().find(refusal.message), std::string::npos) << r->body();
  EXPECT_TRUE(error["type"].is_string());
}

TEST(OpenAiApiErrors, BadRequestsAreRefusedWithOpenAisErrorShape) {
  ApiTestServer server({.max_input_len = 40, .max_new_tokens = 32});
  std::string long_text;
  for (int i = 0; i < 30; ++i) long_text += "many words ";
  const Refusal refusals[] = {
      {"/v1/chat/completions", "{not json", 400, "", "not valid JSON"},
      {"/v1/chat/completions", "[1, 2]", 400, "", "must be a JSON object"},
      {"/v1/chat/completions", json{{"max_tokens", 4}}.dump(), 400, "messages", "missing"},
      {"/v1/chat/completions", json{{"messages", "hi"}}.dump(), 400, "messages", "expected an array"},
      {"/v1/chat/completions", chat({{"messages", {{{"role", "wizard"}, {"content", "x"}}}}}).dump(), 400, "messages", "unknown role"},
      {"/v1/chat/completions", chat({{"temperature", "hot"}}).dump(), 400, "temperature", "expected a number"},
      {"/v1/chat/completions", chat({{"temperature", -1}}).dump(), 400, "temperature", ">= 0"},
      {"/v1/chat/completions", chat({{"top_p", 1.5}}).dump(), 400, "top_p", "(0, 1]"},
      {"/v1/chat/completions", chat({{"top_k", -5}}).dump(), 400, "top_k", "-1"},
      {"/v1/chat/completions", chat({{"min_p", 2}}).dump(), 400, "min_p", "[0, 1]"},
      {"/v1/chat/completions", chat({{"presence_penalty", 3}}).dump(), 400, "presence_penalty", "[-2, 2]"},
      {"/v1/chat/completions", chat({{"frequency_penalty", -2.5}}).dump(), 400, "frequency_penalty", "[-2, 2]"},
      {"/v1/chat/completions", chat({{"repetition_penalty", 0}}).dump(), 400, "repetition_penalty", "> 0"},
      {"/v1/chat/completions", chat({{"n", 0}}).dump(), 400, "n", "[1, 128]"},
      {"/v1/chat/completions", chat({{"n", 2.5}}).dump(), 400, "n", "integer"},
      {"/v1/chat/completions", chat({{"seed", "x"}}).dump(), 400, "seed", "integer"},
      {"/v1/chat/completions", chat({{"stream", "yes"}}).dump(), 400, "stream", "boolean"},
      {"/v1/chat/completions", chat({{"stop", {"ok", 3}}}).dump(), 400, "stop", "array of strings"},
      {"/v1/chat/completions", chat({{"stop", {"ok", ""}}}).dump(), 400, "stop", "stop[1]"},
      {"/v1/chat/completions", chat({{"max_tokens", 0}}).dump(), 400, "max_tokens", "at least 1"},
      {"/v1/chat/completions", chat({{"max_tokens", 33}}).dump(), 400, "max_tokens", "at most 32"},
      {"/v1/chat/completions", chat({{"max_completion_tokens", 100}}).dump(), 400, "max_completion_tokens", "at most 32"},
      {"/v1/chat/completions", chat({{"top_logprobs", 3}}).dump(), 400, "top_logprobs", "requires logprobs"},
      {"/v1/chat/completions", chat({{"logprobs", true}, {"top_logprobs", 21}}).dump(), 400, "top_logprobs", "[0, 20]"},
      {"/v1/chat/completions", chat({{"response_format", {{"type", "json_schema"}}}}).dump(), 400, "response_format", "not supported"},
      {"/v1/chat/completions", chat({{"stream_options", {{"include_usage", true}}}}).dump(), 400, "stream_options", "stream is true"},
      {"/v1/chat/completions", chat({{"tools", "x"}}).dump(), 400, "tools", "expected an array"},
      {"/v1/chat/completions", chat({{"tool_choice", "required"}}).dump(), 400, "tool_choice", "not supported"},
      {"/v1/chat/completions", chat({{"chat_template_kwargs", {{"enable_thinking", "no"}}}}).dump(), 400,
       "chat_template_kwargs", "boolean"},
      {"/v1/chat/completions", chat({{"model", "gpt-4"}}).dump(), 404, "model", "gpt-4"},
      {"/v1/chat/completions", chat({{"messages", {{{"role", "user"}, {"content", long_text}}}}}).dump(), 400, "messages",
       "at most 40 prompt tokens"},
      {"/v1/completions", json{{"max_tokens", 3}}.dump(), 400, "prompt", "missing"},
      {"/v1/completions", json{{"prompt", 5}}.dump(), 400, "prompt", "expected a string"},
      {"/v1/completions", json{{"prompt", ""}}.dump(), 400, "prompt", "empty"},
      {"/v1/completions", json{{"prompt", {1, 999999}}}.dump(), 400, "prompt", "outside the vocabulary"},
      {"/v1/completions", json{{"prompt", "x"}, {"logprobs", true}}.dump(), 400, "logprobs", "integer"},
      {"/v1/completions", json{{"prompt", "x"}, {"echo", true}}.dump(), 400, "echo", "not supported"},
      {"/v1/completions", json{{"prompt", long_text}}.dump(), 400, "prompt", "the prompt has"},
      {"/v1/completions", json{{"prompt", "x"}, {"max_tokens", 1000}}.dump(), 400, "max_tokens", "at most 32"},
      {"/v1/completions", json{{"prompt", "x"}, {"model", "other"}}.dump(), 404, "model", "other"},
      {"/tokenize", json{{"text", "x"}}.dump(), 400, "prompt", "missing"},
      {"/detokenize", json{{"tokens", {1, -3}}}.dump(), 400, "tokens", "token ids"},
  };
  for (const Refusal& refusal : refusals) expect_refused(server, refusal);
  EXPECT_EQ(server.engine().stats().prompt_tokens, 0u) << "nothing refused reached the engine";
  const auto r = server.call("POST", "/v1/chat/completions", chat({{"model", "gpt-4"}}).dump());
  EXPECT_EQ(r->json()["error"]["code"], "model_not_found");
}

TEST(OpenAiApiErrors, UnknownFieldsAreIgnoredAndNoModelFieldIsFine) {
  ApiTestServer server;
  const auto r = server.call("POST", "/v1/chat/completions",
                             chat({{"some_future_field", {1, 2}}, {"user", "u-1"}, {"ignore_eos", true}}).dump());
  EXPECT_EQ(r->status(), 200) << r->body();
}

// Starts a streamed chat that would run long, and waits for its first content.
std::shared_ptr<RecordingResponder> start_long_stream(ApiTestServer& server, int n = 1) {
  auto r = server.send("POST", "/v1/chat/completions",
                       chat({{"stream", true}, {"n", n}, {"max_tokens", 4000}, {"ignore_eos", true}}).dump());
  EXPECT_TRUE(r->wait_events(static_cast<std::size_t>(n) + 1));
  return r;
}

// The engine reports its in-flight choices finished a moment after their last callback.
bool wait_until(const std::function<bool()>& condition) {
  for (int i = 0; i < 60000 && !condition(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return condition();
}

TEST(OpenAiApiErrors, ClientThatDisconnectsCancelsEveryChoiceAtOnce) {
  ApiTestServer server({.max_new_tokens = 4000, .kv_tokens = 16384});
  const auto r = start_long_stream(server, 2);
  EXPECT_EQ(server.api().in_flight(), 2u);
  r->disconnect();
  ASSERT_TRUE(wait_until([&] { return server.api().in_flight() == 0; }));
  const std::string metrics = server.call("GET", "/metrics")->body();
  EXPECT_NE(metrics.find("qwenrt_request_success_total{finished_reason=\"cancelled\"} 2\n"), std::string::npos)
      << metrics;
  EXPECT_LT(server.engine().stats().generated_tokens, 4000u);
}

TEST(OpenAiApiErrors, FullQueueGets429WithRetryAfter) {
  ApiTestServer server({.max_new_tokens = 4000, .max_waiting_requests = 1, .kv_tokens = 16384, .max_num_seqs = 1});
  const auto running = start_long_stream(server);
  // The admission check reads the engine's stats, which lag a step behind the first tokens: until they
  // show the first request running, it would count as waiting and the second would be refused.
  ASSERT_TRUE(wait_until([&] { return server.engine().stats().running == 1; }));
  const auto waiting = server.send("POST", "/v1/chat/completions",
                                   chat({{"stream", true}, {"max_tokens", 4000}, {"ignore_eos", true}}).dump());
  // send() returns before the server has taken the request in: the queue is full once it has.
  ASSERT_TRUE(wait_until([&] { return server.api().in_flight() == 2; }));
  const auto refused = server.call("POST", "/v1/chat/completions", chat().dump());
  EXPECT_EQ(refused->status(), 429) << refused->body();
  const HttpHeaders headers = refused->headers();
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].first, "Retry-After");
  running->disconnect();
  waiting->disconnect();
  ASSERT_TRUE(wait_until([&] { return server.api().in_flight() == 0; }));
  EXPECT_EQ(server.call("POST", "/v1/chat/completions", chat().dump())->status(), 200);
}

TEST(OpenAiApiErrors, ShutdownRefusesNewWorkThenCancelsWhatIsLeft) {
  ApiTestServer server({.max_new_tokens = 4000, .kv_tokens = 16384});
  const auto streaming = start_long_stream(server);
  const auto whole = server.send("POST", "/v1/completions",
                                 json{{"prompt", "x"}, {"max_tokens", 4000}, {"ignore_eos", true}}.dump());
  server.api().stop_accepting();
  EXPECT_EQ(server.call("POST", "/v1/chat/completions", chat().dump())->status(), 503);
  EXPECT_EQ(server.call("POST", "/v1/completions", json{{"prompt", "x"}}.dump())->status(), 503);
  EXPECT_EQ(server.call("GET", "/health")->status(), 503);
  EXPECT_EQ(server.call("GET", "/v1/models")->status(), 200) << "reads still work while draining";
  EXPECT_EQ(server.api().in_flight(), 2u);
  server.api().cancel_all();
  ASSERT_TRUE(streaming->wait_complete());
  ASSERT_TRUE(whole->wait_complete());
  EXPECT_EQ(whole->status(), 503);
  const std::vector<std::string> events = streaming->events();
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events.back(), "[DONE]");
  EXPECT_EQ(json::parse(events[events.size() - 2])["error"]["code"], 503);
  EXPECT_TRUE(wait_until([&] { return server.api().in_flight() == 0; }));
}

}  // namespace
}  // namespace qwenrt::server::testing
