// The OpenAI API over real HTTP against `qwenrt serve` started by the test on the tiny full-vocabulary
// model: curl's view of the wire (status lines, headers, the server-sent events' framing, the refusals)
// and the official openai npm client's checks (tests/js/openai_client.test.mjs).
#include <gtest/gtest.h>

#include <cctype>
#include <csignal>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "run_command.h"
#include "server_process.h"
#include "tiny_model_fixture.h"

namespace qwenrt::testing {
namespace {

using nlohmann::json;

constexpr const char* kModel = "tiny";

class OpenAiOverHttp : public TinyModelTest {
 protected:
  void SetUp() override {
    TinyModelTest::SetUp();
    server_ = std::make_unique<ServerProcess>("serve" + model() + " --port 0 --served-model-name " + kModel +
                                              " --max-new-tokens 64");
    url_ = "http://127.0.0.1:" + std::to_string(server_->wait_for_ports().at(0));
  }
  void TearDown() override {
    server_->send(SIGTERM);
    EXPECT_EQ(server_->wait_for_exit(std::chrono::seconds(60)), 0) << server_->log();
  }

  // curl's response: the status line and headers (-i), then the body.
  CommandResult curl(const std::string& path, const std::string& body = "", const std::string& flags = "") {
    std::string command = "curl -sS -i -N " + flags + " '" + url_ + path + "'";
    if (!body.empty()) {
      const auto file = dir() / "body.json";
      std::ofstream(file) << body;
      command += " -H 'Content-Type: application/json' --data-binary @'" + file.string() + "'";
    }
    return run_shell(command);
  }

  std::unique_ptr<ServerProcess> server_;
  std::string url_;
};

struct HttpResponse {
  std::string status_line;
  std::string headers;  // lower-cased
  std::string body;
};

HttpResponse split(const std::string& raw) {
  const std::size_t end = raw.find("\r\n\r\n");
  HttpResponse r;
  r.status_line = raw.substr(0, raw.find("\r\n"));
  r.headers = raw.substr(0, end);
  for (char& c : r.headers) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  r.body = end == std::string::npos ? "" : raw.substr(end + 4);
  return r;
}

std::string chat(json extra = json::object()) {
  json body = {{"model", kModel}, {"messages", {{{"role", "user"}, {"content", "Hi there"}}}}, {"max_tokens", 5},
               {"temperature", 0}};
  body.update(extra);
  return body.dump();
}

TEST_F(OpenAiOverHttp, CurlSeesWholeAnswersStreamsAndRefusals) {
  const HttpResponse whole = split(curl("/v1/chat/completions", chat()).out);
  EXPECT_EQ(whole.status_line, "HTTP/1.1 200 OK");
  EXPECT_NE(whole.headers.find("content-type: application/json"), std::string::npos) << whole.headers;
  const json answer = json::parse(whole.body);
  EXPECT_EQ(answer["object"], "chat.completion");
  EXPECT_EQ(answer["usage"]["completion_tokens"], 5);

  // Server-sent events: "data: JSON" lines, each followed by a blank line, the last "data: [DONE]".
  const HttpResponse stream =
      split(curl("/v1/chat/completions", chat({{"stream", true}, {"stream_options", {{"include_usage", true}}}})).out);
  EXPECT_EQ(stream.status_line, "HTTP/1.1 200 OK");
  EXPECT_NE(stream.headers.find("content-type: text/event-stream"), std::string::npos) << stream.headers;
  std::vector<std::string> events;
  std::size_t at = 0;
  for (std::size_t end; (end = stream.body.find("\n\n", at)) != std::string::npos; at = end + 2) {
    const std::string event = stream.body.substr(at, end - at);
    ASSERT_EQ(event.rfind("data: ", 0), 0u) << event;
    events.push_back(event.substr(6));
  }
  EXPECT_EQ(at, stream.body.size()) << "nothing after the last event";
  ASSERT_GE(events.size(), 4u);
  EXPECT_EQ(events.back(), "[DONE]");
  std::string text;
  for (std::size_t i = 0; i + 1 < events.size(); ++i) {
    const json chunk = json::parse(events[i]);
    EXPECT_EQ(chunk["object"], "chat.completion.chunk");
    if (!chunk["choices"].empty()) text += chunk["choices"][0]["delta"].value("content", "");
  }
  EXPECT_EQ(text, answer["choices"][0]["message"]["content"]);
  EXPECT_EQ(json::parse(events[events.size() - 2])["usage"]["completion_tokens"], 5);

  const HttpResponse bad = split(curl("/v1/chat/completions", chat({{"top_p", 7}})).out);
  EXPECT_EQ(bad.status_line.substr(0, 12), "HTTP/1.1 400");
  EXPECT_EQ(json::parse(bad.body)["error"]["param"], "top_p");
  const HttpResponse unknown = split(curl("/v1/completions", json{{"model", "gpt-4"}, {"prompt", "x"}}.dump()).out);
  EXPECT_EQ(unknown.status_line.substr(0, 12), "HTTP/1.1 404");
  EXPECT_EQ(json::parse(unknown.body)["error"]["code"], "model_not_found");
  const HttpResponse invalid = split(curl("/v1/completions", "{\"prompt\": ").out);
  EXPECT_EQ(invalid.status_line.substr(0, 12), "HTTP/1.1 400");
  const HttpResponse health = split(curl("/health").out);
  EXPECT_EQ(health.status_line, "HTTP/1.1 200 OK");
  const HttpResponse metrics = split(curl("/metrics").out);
  EXPECT_NE(metrics.body.find("qwenrt_request_success_total{finished_reason=\"length\"} 2"), std::string::npos)
      << metrics.body;
}

TEST_F(OpenAiOverHttp, TheOfficialOpenAiClientPassesItsChecks) {
  const CommandResult r = run_shell("QWENRT_API_URL='" + url_ + "/v1' QWENRT_MODEL=" + kModel + " node --test '" +
                                    QWENRT_SOURCE_DIR + "/tests/js/openai_client.test.mjs'");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("# pass 8\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("# fail 0\n"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace qwenrt::testing
