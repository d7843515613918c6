// The HTTP transport over real loopback sockets: routing, keep-alive, limits, the API key, CORS,
// malformed requests, event streams, disconnect detection and timeouts.
#include "server/http_server.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "server/http_test_client.h"
#include "server/test_routes.h"

namespace qwenrt::server::testing {
namespace {

using namespace std::chrono_literals;

class HttpServerTest : public ::testing::Test {
 protected:
  void start(HttpServerConfig config = {}) {
    if (config.endpoints.empty()) config.endpoints = {{"127.0.0.1", 0}};
    config.io_threads = 2;
    server_ = std::make_unique<HttpServer>(config, routes_.routes());
    port_ = server_->ports().at(0);
  }

  static nlohmann::json error_of(const Response& r) { return nlohmann::json::parse(r.body())["error"]; }

  TestRoutes routes_;
  std::unique_ptr<HttpServer> server_;  // stopped before the routes it calls go
  std::uint16_t port_ = 0;
};

TEST_F(HttpServerTest, RoutesByExactPathWithTheQuerySplitOff) {
  start();
  const Response ok = fetch(port_, http::verb::get, "/hello?name=qwen");
  EXPECT_EQ(ok.result_int(), 200);
  EXPECT_EQ(ok.body(), "hello name=qwen");
  EXPECT_EQ(ok[http::field::content_type], "text/plain");
  EXPECT_EQ(ok[http::field::content_length], "15");

  const Response unknown = fetch(port_, http::verb::get, "/hello/");
  EXPECT_EQ(unknown.result_int(), 404);
  EXPECT_EQ(unknown[http::field::content_type], "application/json");
  EXPECT_EQ(error_of(unknown)["message"], "Invalid URL (GET /hello/)");

  const Response wrong = fetch(port_, http::verb::delete_, "/echo");
  EXPECT_EQ(wrong.result_int(), 405);
  EXPECT_EQ(wrong[http::field::allow], "POST, OPTIONS");
  EXPECT_EQ(error_of(wrong)["type"], "invalid_request_error");
}

TEST_F(HttpServerTest, KeepAliveServesRequestsInTurnIncludingPipelinedOnes) {
  start();
  TestClient client(port_);
  client.send(http::verb::post, "/echo", "first", {{"Content-Type", "text/x-one"}});
  const Response first = client.read();
  EXPECT_EQ(first.body(), "first");
  EXPECT_EQ(first[http::field::content_type], "text/x-one");
  EXPECT_TRUE(first.keep_alive());
  // Two requests in one write: answered in order on the same connection.
  client.write(
      "GET /hello?a HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nsecond");
  EXPECT_EQ(client.read().body(), "hello a");
  EXPECT_EQ(client.read().body(), "second");
  client.send(http::verb::get, "/hello?last", "", {{"Connection", "close"}});
  const Response last = client.read();
  EXPECT_EQ(last.body(), "hello last");
  EXPECT_FALSE(last.keep_alive());
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(HttpServerTest, ChunkedRequestBodiesAreRead) {
  start();
  TestClient client(port_);
  client.write("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  EXPECT_EQ(client.read().body(), "abcde");
}

TEST_F(HttpServerTest, BodyOverTheLimitIs413BeforeItIsSent) {
  HttpServerConfig config;
  config.limits.max_body_bytes = 1024;
  start(config);
  {
    // Only the head is sent: the answer cannot have waited for the 100 MB it announces.
    TestClient client(port_);
    client.write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n");
    const Response r = client.read();
    EXPECT_EQ(r.result_int(), 413);
    EXPECT_NE(error_of(r)["message"].get<std::string>().find("1024 bytes"), std::string::npos);
    EXPECT_FALSE(r.keep_alive());
    EXPECT_TRUE(client.closed_by_server());
  }
  {
    TestClient client(port_);
    client.write("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" + std::string(2048, 'x') +
                 "\r\n");
    EXPECT_EQ(client.read().result_int(), 413);
  }
  EXPECT_EQ(fetch(port_, http::verb::post, "/echo", std::string(1024, 'y')).body(), std::string(1024, 'y'));
}

TEST_F(HttpServerTest, ExpectContinueIsAnsweredBeforeTheBody) {
  start();
  TestClient client(port_);
  client.write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(client.read().result_int(), 100);
  client.write("hello");
  EXPECT_EQ(client.read().body(), "hello");
}

TEST_F(HttpServerTest, MalformedRequestsGet400AndTheConnectionCloses) {
  start();
  for (const std::string raw : {"GARBAGE\r\n\r\n", "GET /hello HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
                                "GET /hello HTTP/1.1\r\nBad Header\r\n\r\n"}) {
    TestClient client(port_);
    client.write(raw);
    const Response r = client.read();
    EXPECT_EQ(r.result_int(), 400) << raw;
    EXPECT_NE(error_of(r)["message"].get<std::string>().find("malformed HTTP request"), std::string::npos);
    EXPECT_TRUE(client.closed_by_server()) << raw;
  }
  TestClient huge(port_);
  huge.write("GET /hello HTTP/1.1\r\nX-Big: " + std::string(100'000, 'h') + "\r\n\r\n");
  EXPECT_EQ(huge.read().result_int(), 431);
}

TEST_F(HttpServerTest, ApiKeyIsRequiredExceptOnPublicRoutes) {
  HttpServerConfig config;
  config.access.api_key = "sk-test-key";
  start(config);
  const Response missing = fetch(port_, http::verb::post, "/echo", "x");
  EXPECT_EQ(missing.result_int(), 401);
  EXPECT_EQ(error_of(missing)["code"], "invalid_api_key");
  EXPECT_EQ(fetch(port_, http::verb::post, "/echo", "x", {{"Authorization", "Bearer sk-test-kez"}}).result_int(), 401);
  EXPECT_EQ(fetch(port_, http::verb::post, "/echo", "x", {{"Authorization", "Bearer sk-test-key"}}).body(), "x");
  EXPECT_EQ(fetch(port_, http::verb::get, "/hello").result_int(), 200);
}

TEST_F(HttpServerTest, BrowsersOnOtherOriginsGetCorsHeadersEvenOnStreams) {
  HttpServerConfig config;
  config.access.api_key = "sk-test-key";
  config.access.allowed_origins = {"http://app.example"};
  start(config);
  const Response preflight = fetch(port_, http::verb::options, "/echo", "",
                                   {{"Origin", "http://app.example"},
                                    {"Access-Control-Request-Method", "POST"},
                                    {"Access-Control-Request-Headers", "authorization,content-type"}});
  EXPECT_EQ(preflight.result_int(), 204);
  EXPECT_EQ(preflight["Access-Control-Allow-Origin"], "http://app.example");
  EXPECT_EQ(preflight["Access-Control-Allow-Methods"], "POST, OPTIONS");
  EXPECT_EQ(preflight["Access-Control-Allow-Headers"], "authorization,content-type");

  const Response stream = fetch(port_, http::verb::get, "/events?2", "",
                                {{"Origin", "http://app.example"}, {"Authorization", "Bearer sk-test-key"}});
  EXPECT_EQ(stream["Access-Control-Allow-Origin"], "http://app.example");
  const Response refused = fetch(port_, http::verb::post, "/echo", "x", {{"Origin", "http://app.example"}});
  EXPECT_EQ(refused.result_int(), 401);
  EXPECT_EQ(refused["Access-Control-Allow-Origin"], "http://app.example");  // so the page can read why
  const Response foreign = fetch(port_, http::verb::get, "/hello", "", {{"Origin", "http://other.example"}});
  EXPECT_EQ(foreign.count("Access-Control-Allow-Origin"), 0u);
}

TEST_F(HttpServerTest, EventStreamIsChunkedAndUncached) {
  start();
  TestClient client(port_);
  client.send(http::verb::get, "/events?5");
  const auto& head = client.read_head();
  EXPECT_EQ(head.result_int(), 200);
  EXPECT_EQ(head[http::field::content_type], "text/event-stream");
  EXPECT_EQ(head[http::field::cache_control], "no-cache");
  EXPECT_TRUE(head.chunked());
  const Response r = client.read_rest();
  EXPECT_EQ(event_data(r.body()),
            (std::vector<std::string>{"event 0", "event 1", "event 2", "event 3", "event 4"}));
  EXPECT_EQ(r.body(), "data: event 0\n\ndata: event 1\n\ndata: event 2\n\ndata: event 3\n\ndata: event 4\n\n");
  client.send(http::verb::get, "/hello?again");
  EXPECT_EQ(client.read().body(), "hello again");  // the stream's end leaves the connection usable
}

TEST_F(HttpServerTest, ClientLeavingAStreamRunsOnDisconnectOnce) {
  start();
  {
    TestClient client(port_);
    client.send(http::verb::get, "/hang");
    EXPECT_EQ(client.read_head().result_int(), 200);
    ASSERT_TRUE(eventually([&] { return routes_.in_flight() == 1; }));
    EXPECT_EQ(routes_.disconnects(), 0);
    client.close();
  }
  ASSERT_TRUE(eventually([&] { return routes_.disconnects() == 1; }));
  ASSERT_TRUE(eventually([&] { return server_->open_connections() == 0; }));
  const auto responder = routes_.held(0);
  EXPECT_TRUE(responder->disconnected());
  // A callback added after the client has gone runs at once; writing to it is harmless.
  std::atomic<int> late{0};
  responder->on_disconnect([&] { ++late; });
  responder->send_event("nobody listens");
  responder->end_event_stream();
  EXPECT_TRUE(eventually([&] { return late == 1; }));
  EXPECT_EQ(routes_.disconnects(), 1);
}

TEST_F(HttpServerTest, ClientLeavingBeforeAnyAnswerRunsOnDisconnect) {
  start();
  {
    TestClient client(port_);
    client.send(http::verb::get, "/pending");
    ASSERT_TRUE(eventually([&] { return routes_.in_flight() == 1; }));
  }
  EXPECT_TRUE(eventually([&] { return routes_.disconnects() == 1; }));
}

TEST_F(HttpServerTest, AStreamCompletedIsNotADisconnect) {
  start();
  {
    TestClient client(port_);
    client.send(http::verb::get, "/hang");
    client.read_head();
    ASSERT_TRUE(eventually([&] { return routes_.in_flight() == 1; }));
    routes_.end_all();
    EXPECT_EQ(event_data(client.read_rest().body()), (std::vector<std::string>{"started", "cancelled"}));
  }
  ASSERT_TRUE(eventually([&] { return server_->open_connections() == 0; }));
  EXPECT_EQ(routes_.disconnects(), 0);
}

TEST_F(HttpServerTest, HandlerErrorsBecomeErrorAnswers) {
  start();
  const Response teapot = fetch(port_, http::verb::get, "/teapot");
  EXPECT_EQ(teapot.result_int(), 418);
  EXPECT_EQ(error_of(teapot)["message"], "short and stout");
  EXPECT_EQ(error_of(teapot)["code"], "teapot");
  const Response silent = fetch(port_, http::verb::get, "/silent");
  EXPECT_EQ(silent.result_int(), 500);
  EXPECT_EQ(error_of(silent)["type"], "internal_server_error");
}

TEST_F(HttpServerTest, StuckClientsAreClosedButLongStreamsAreNot) {
  HttpServerConfig config;
  config.limits.idle_timeout = 100ms;
  config.limits.request_timeout = 100ms;
  start(config);
  TestClient idle(port_);
  TestClient half(port_);
  half.write("GET /hello HTTP/1.1\r\nHost:");
  TestClient after_answer(port_);
  after_answer.send(http::verb::get, "/hello");
  EXPECT_EQ(after_answer.read().result_int(), 200);
  EXPECT_TRUE(idle.closed_by_server());
  EXPECT_TRUE(half.closed_by_server());
  EXPECT_TRUE(after_answer.closed_by_server());
  // 20 events 20 ms apart: the stream lasts four times both timeouts.
  const Response stream = fetch(port_, http::verb::get, "/events?20");
  EXPECT_EQ(event_data(stream.body()).size(), 20u);
}

TEST_F(HttpServerTest, EveryEndpointServesTheSameRoutes) {
  HttpServerConfig config;
  config.endpoints = {{"127.0.0.1", 0}, {"127.0.0.1", 0}};
  start(config);
  ASSERT_EQ(server_->ports().size(), 2u);
  EXPECT_NE(server_->ports()[0], server_->ports()[1]);
  EXPECT_EQ(fetch(server_->ports()[1], http::verb::get, "/hello?ui").body(), "hello ui");
  EXPECT_EQ(server_->urls()[1], "http://127.0.0.1:" + std::to_string(server_->ports()[1]));
}

TEST_F(HttpServerTest, PortInUseIsAClearError) {
  start();
  HttpServerConfig taken;
  taken.endpoints = {{"127.0.0.1", port_}};
  try {
    HttpServer second(taken, {});
    FAIL() << "bound a port already in use";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "cannot listen on 127.0.0.1:" + std::to_string(port_) + ": Address already in use");
  }
}

}  // namespace
}  // namespace qwenrt::server::testing
