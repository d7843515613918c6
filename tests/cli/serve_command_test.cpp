// `qwenrt serve` end to end: the binary started as a process on the tiny model with the real Qwen
// vocabulary, talked to over loopback HTTP, and stopped with a signal.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <csignal>
#include <nlohmann/json.hpp>
#include <random>

#include "run_command.h"
#include "server/http_test_client.h"
#include "server_process.h"
#include "tiny_model_fixture.h"

namespace qwenrt::testing {
namespace {

namespace http = boost::beast::http;
using server::testing::eventually;
using server::testing::fetch;

class ServeCommand : public TinyModelTest {
 protected:
  static std::string args(const std::string& extra = "", const std::string& port = "0") {
    return "serve" + model() + " --port " + port + " --served-model-name tiny " + extra;
  }
};

std::string chat_request(const std::string& question, int max_tokens) {
  return nlohmann::json{{"model", "tiny"},
                        {"messages", {{{"role", "user"}, {"content", question}}}},
                        {"stream", true},
                        {"max_tokens", max_tokens}}
      .dump();
}

// The value of one sample (name with its labels, if any) in GET /metrics.
long metric(std::uint16_t port, const std::string& sample) {
  const auto metrics = fetch(port, http::verb::get, "/metrics").body();
  const std::size_t at = metrics.find("\n" + sample + " ");
  if (at == std::string::npos) throw std::runtime_error("no " + sample + " in /metrics:\n" + metrics);
  return std::stol(metrics.substr(at + sample.size() + 2));
}

long kv_blocks_used(std::uint16_t port) { return metric(port, "qwenrt_kv_cache_blocks_used"); }

long finished(std::uint16_t port, const std::string& reason) {
  return metric(port, "qwenrt_request_success_total{finished_reason=\"" + reason + "\"}");
}

// One streaming chat request on the test's io_context; a leaver closes its connection as soon as the
// first bytes of the stream arrive.
struct ChatStream {
  ChatStream(boost::asio::io_context& io, std::string body, bool leaves) : stream(io), leaver(leaves) {
    request.set(http::field::host, "localhost");
    request.set(http::field::content_type, "application/json");
    request.body() = std::move(body);
    request.prepare_payload();
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  }

  void start(std::uint16_t port) {
    stream.expires_after(std::chrono::seconds(300));
    stream.async_connect({boost::asio::ip::make_address("127.0.0.1"), port}, [this](boost::system::error_code e) {
      if (e) return finish(e);
      http::async_write(stream, request, [this](boost::system::error_code e, std::size_t) {
        if (e) return finish(e);
        http::async_read_header(stream, buffer, parser, [this](boost::system::error_code e, std::size_t) {
          if (e) return finish(e);
          read_body();
        });
      });
    });
  }
  void read_body() {
    http::async_read_some(stream, buffer, parser, [this](boost::system::error_code e, std::size_t) {
      if (e || parser.is_done()) return finish(e);
      if (leaver && !parser.get().body().empty()) return finish(e);
      read_body();
    });
  }
  void finish(boost::system::error_code e) {
    error = e;
    ended = parser.is_done();
    stream.close();
  }

  boost::beast::tcp_stream stream;
  const bool leaver;
  http::request<http::string_body> request{http::verb::post, "/v1/chat/completions", 11};
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  boost::system::error_code error;
  bool ended = false;
};

bool ends_with_done(const std::string& body) {
  const std::string done = "data: [DONE]\n\n";
  return body.size() >= done.size() && body.compare(body.size() - done.size(), done.size(), done) == 0;
}

TEST_F(ServeCommand, StartupErrorsAreOneLineAndExitOne) {
  const auto missing = run_qwenrt("serve -m /nonexistent/model --port 0");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1) << missing.err;
  EXPECT_NE(missing.err.find("/nonexistent/model"), std::string::npos) << missing.err;

  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor taken(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = std::to_string(taken.local_endpoint().port());
  const auto busy = run_qwenrt(args("", port));
  EXPECT_EQ(busy.exit_code, 1);
  EXPECT_NE(busy.err.find("qwenrt: error: cannot listen on 127.0.0.1:" + port + ": Address already in use\n"),
            std::string::npos)
      << busy.err;
}

TEST_F(ServeCommand, ConcurrentStreamsWithClientsLeavingReleaseEveryKvBlock) {
  ServerProcess server(args("--max-num-seqs 32"));
  const std::uint16_t port = server.wait_for_ports().at(0);
  const long blocks_at_start = kv_blocks_used(port);

  constexpr int kRequests = 200;
  std::mt19937 random(5);
  boost::asio::io_context io;
  std::vector<std::unique_ptr<ChatStream>> streams;
  int leavers = 0;
  for (int i = 0; i < kRequests; ++i) {
    const bool leaves = random() % 3 == 0;
    leavers += leaves;
    streams.push_back(std::make_unique<ChatStream>(
        io, chat_request("Request " + std::to_string(i) + ": tell me about the sea.", 12), leaves));
    streams.back()->start(port);
  }
  io.run();

  int completed = 0;
  for (const auto& s : streams) {
    ASSERT_FALSE(s->error) << s->error.message();
    if (s->leaver) continue;
    ASSERT_TRUE(s->ended);
    EXPECT_EQ(s->parser.get().result_int(), 200) << s->parser.get().body();
    EXPECT_TRUE(ends_with_done(s->parser.get().body())) << s->parser.get().body();
    ++completed;
  }
  EXPECT_EQ(completed + leavers, kRequests);
  EXPECT_GT(leavers, 0);
  EXPECT_TRUE(eventually([&] { return kv_blocks_used(port) == blocks_at_start; }))
      << "KV blocks in use: " << kv_blocks_used(port) << ", at start " << blocks_at_start;
  // Every request finished (a leaver's stream may have ended before it left) or was cancelled.
  EXPECT_EQ(finished(port, "length") + finished(port, "stop") + finished(port, "cancelled"), kRequests);
  EXPECT_EQ(finished(port, "error"), 0);

  server.send(SIGTERM);
  EXPECT_EQ(server.wait_for_exit(std::chrono::seconds(60)), 0) << server.log();
}

TEST_F(ServeCommand, SigtermEndsTheStreamsInProgressAndExitsZero) {
  ServerProcess server(args("--shutdown-timeout 0.2"));
  const std::uint16_t port = server.wait_for_ports().at(0);
  std::vector<std::unique_ptr<server::testing::TestClient>> clients;
  for (int i = 0; i < 8; ++i) {
    clients.push_back(std::make_unique<server::testing::TestClient>(port));
    clients.back()->send(http::verb::post, "/v1/chat/completions", chat_request("Story " + std::to_string(i), 200),
                         {{"Content-Type", "application/json"}});
    ASSERT_EQ(clients.back()->read_head().result_int(), 200);
  }
  server.send(SIGTERM);
  for (auto& client : clients) EXPECT_TRUE(ends_with_done(client->read_rest().body()));
  EXPECT_EQ(server.wait_for_exit(std::chrono::seconds(60)), 0) << server.log();
  for (const char* phase : {"qwenrt: SIGTERM received", "qwenrt: shutting down", "qwenrt: closing", "qwenrt: stopped"}) {
    EXPECT_NE(server.log().find(phase), std::string::npos) << server.log();
  }
}

TEST_F(ServeCommand, ApiKeyFromTheEnvironmentGuardsBothPorts) {
  ServerProcess server(args("--ui-port 0"), "QWENRT_API_KEY=sk-e2e");
  const auto ports = server.wait_for_ports();
  ASSERT_EQ(ports.size(), 2u) << server.log();
  for (const std::uint16_t port : ports) {
    const auto refused = fetch(port, http::verb::get, "/v1/models");
    EXPECT_EQ(refused.result_int(), 401);
    EXPECT_EQ(nlohmann::json::parse(refused.body())["error"]["code"], "invalid_api_key");
    const auto models = fetch(port, http::verb::get, "/v1/models", "", {{"Authorization", "Bearer sk-e2e"}});
    ASSERT_EQ(models.result_int(), 200) << models.body();
    EXPECT_EQ(nlohmann::json::parse(models.body())["data"][0]["id"], "tiny");
    EXPECT_EQ(fetch(port, http::verb::get, "/health").result_int(), 200);
  }
  server.send(SIGINT);
  EXPECT_EQ(server.wait_for_exit(std::chrono::seconds(60)), 0) << server.log();
}

}  // namespace
}  // namespace qwenrt::testing
