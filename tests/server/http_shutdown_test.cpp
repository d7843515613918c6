// Shutting the HTTP server down: no new connections, answers in progress finish (or are cancelled and
// still end properly), idle connections close, and an answer cut off by stop() counts as abandoned.
#include <gtest/gtest.h>

#include <future>
#include <sstream>

#include "server/graceful_shutdown.h"
#include "server/http_server.h"
#include "server/http_test_client.h"
#include "server/test_routes.h"

namespace qwenrt::server::testing {
namespace {

using namespace std::chrono_literals;

class HttpShutdownTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServerConfig config;
    config.endpoints = {{"127.0.0.1", 0}};
    config.io_threads = 2;
    server_ = std::make_unique<HttpServer>(config, routes_.routes());
    port_ = server_->ports().at(0);
  }

  bool connect_refused() const {
    try {
      TestClient client(port_);
      return false;
    } catch (const boost::system::system_error&) {
      return true;
    }
  }

  InFlightWork work() {
    return {[this] { ++stop_accepting_calls_; }, [this] { return routes_.in_flight(); },
            [this] {
              ++cancel_all_calls_;
              routes_.end_all();
            }};
  }

  TestRoutes routes_;
  std::unique_ptr<HttpServer> server_;
  std::uint16_t port_ = 0;
  std::atomic<int> stop_accepting_calls_{0};
  std::atomic<int> cancel_all_calls_{0};
};

TEST_F(HttpShutdownTest, StopAcceptingRefusesNewConnectionsAndServesOpenOnes) {
  TestClient open(port_);
  open.send(http::verb::get, "/hello?before");
  EXPECT_EQ(open.read().body(), "hello before");
  server_->stop_accepting();
  EXPECT_TRUE(eventually([&] { return connect_refused(); }));
  open.send(http::verb::get, "/hello?after");
  EXPECT_EQ(open.read().body(), "hello after");
}

TEST_F(HttpShutdownTest, CloseConnectionsClosesIdleOnesAndLetsStreamsFinish) {
  TestClient idle(port_);
  idle.send(http::verb::get, "/hello");
  idle.read();
  TestClient streaming(port_);
  streaming.send(http::verb::get, "/events?10");
  streaming.read_head();
  auto closed = std::async(std::launch::async, [&] { return server_->close_connections(20s); });
  EXPECT_TRUE(idle.closed_by_server());
  EXPECT_EQ(event_data(streaming.read_rest().body()).size(), 10u);
  EXPECT_TRUE(streaming.closed_by_server());
  EXPECT_TRUE(closed.get());
  EXPECT_EQ(server_->open_connections(), 0u);
}

TEST_F(HttpShutdownTest, GracefulShutdownCancelsWhatOutlastsTheDrainAndStillEndsEveryStream) {
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(std::make_unique<TestClient>(port_));
    clients.back()->send(http::verb::get, "/hang");
    clients.back()->read_head();
  }
  ASSERT_TRUE(eventually([&] { return routes_.in_flight() == 3; }));
  std::ostringstream log;
  auto done = std::async(std::launch::async,
                         [&] { shut_down_gracefully(*server_, work(), {.drain = 100ms, .flush = 20s}, log); });
  for (auto& client : clients) {
    EXPECT_EQ(event_data(client->read_rest().body()), (std::vector<std::string>{"started", "cancelled"}));
    EXPECT_TRUE(client->closed_by_server());
  }
  done.get();
  EXPECT_EQ(stop_accepting_calls_, 1);
  EXPECT_EQ(cancel_all_calls_, 1);
  EXPECT_EQ(routes_.disconnects(), 0);
  EXPECT_TRUE(connect_refused());
  EXPECT_EQ(log.str(),
            "qwenrt: shutting down: new connections and requests are refused; waiting up to 0.1 s for 3 requests in "
            "flight\n"
            "qwenrt: cancelling the 3 requests still running\n"
            "qwenrt: closing 3 connections once their answers are written\n"
            "qwenrt: stopped\n");
}

TEST_F(HttpShutdownTest, GracefulShutdownWaitsForRequestsThatFinishInTime) {
  TestClient client(port_);
  client.send(http::verb::get, "/hang");
  client.read_head();
  ASSERT_TRUE(eventually([&] { return routes_.in_flight() == 1; }));
  std::ostringstream log;
  auto done = std::async(std::launch::async,
                         [&] { shut_down_gracefully(*server_, work(), {.drain = 60s, .flush = 20s}, log); });
  ASSERT_TRUE(eventually([&] { return stop_accepting_calls_ == 1; }));
  routes_.end_all();  // the request finishes on its own during the drain
  EXPECT_EQ(event_data(client.read_rest().body()).size(), 2u);
  done.get();
  EXPECT_EQ(cancel_all_calls_, 0);
  EXPECT_EQ(log.str().find("cancelling"), std::string::npos) << log.str();
}

TEST_F(HttpShutdownTest, StopCutsAnswersInProgressAsIfTheirClientsHadGone) {
  TestClient client(port_);
  client.send(http::verb::get, "/hang");
  client.read_head();
  ASSERT_TRUE(eventually([&] { return routes_.in_flight() == 1; }));
  server_->stop();
  EXPECT_EQ(routes_.disconnects(), 1);
  EXPECT_THROW(client.read_rest(), boost::system::system_error);  // the stream never ended properly
  EXPECT_TRUE(connect_refused());
}

}  // namespace
}  // namespace qwenrt::server::testing
