// A thousand event streams held open at once by a server with four I/O threads: every client gets its
// whole stream once all of them are connected and waiting.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <condition_variable>
#include <cstdint>

#include "core/open_files.h"
#include "server/http_server.h"
#include "server/http_test_client.h"

namespace qwenrt::server::testing {
namespace {

constexpr std::size_t kStreams = 1000;
constexpr int kEvents = 3;

// Each stream takes a descriptor on both sides of loopback.
void raise_descriptor_limit() {
  const std::uint64_t wanted = 2 * kStreams + 256;
  ASSERT_GE(raise_open_file_limit(), wanted) << "the hard limit on open files is too low for this test";
}

// One client stream on the test's io_context: connect, ask, read the whole answer.
struct ClientStream {
  explicit ClientStream(boost::asio::io_context& io) : stream(io) {}

  void start(std::uint16_t port) {
    stream.expires_after(std::chrono::seconds(120));
    request.set(http::field::host, "localhost");
    stream.async_connect({boost::asio::ip::make_address("127.0.0.1"), port}, [this](boost::system::error_code e) {
      if (e) return finish(e);
      http::async_write(stream, request, [this](boost::system::error_code e, std::size_t) {
        if (e) return finish(e);
        http::async_read(stream, buffer, response, [this](boost::system::error_code e, std::size_t) { finish(e); });
      });
    });
  }
  void finish(boost::system::error_code e) {
    error = e;
    stream.close();
  }

  boost::beast::tcp_stream stream;
  http::request<http::empty_body> request{http::verb::get, "/stream", 11};
  boost::beast::flat_buffer buffer;
  Response response;
  boost::system::error_code error;
};

TEST(HttpConcurrency, AThousandStreamsAreHeldOpenAtOnceByFourThreads) {
  raise_descriptor_limit();
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<std::shared_ptr<HttpResponder>> streams;
  const HttpRoute route{"GET", "/stream", [&](const HttpRequest&, std::shared_ptr<HttpResponder> out) {
                          out->start_event_stream();
                          std::lock_guard lock(mutex);
                          streams.push_back(std::move(out));
                          arrived.notify_all();
                        }};
  HttpServerConfig config;
  config.endpoints = {{"127.0.0.1", 0}};
  config.io_threads = 4;
  HttpServer server(config, {route});

  // Events go out only once every stream is open, so all of them are held at the same time.
  std::size_t open_when_all_arrived = 0;
  std::thread producer([&] {
    std::unique_lock lock(mutex);
    if (!arrived.wait_for(lock, std::chrono::seconds(120), [&] { return streams.size() == kStreams; })) return;
    open_when_all_arrived = server.open_connections();
    for (int e = 0; e < kEvents; ++e) {
      for (auto& out : streams) out->send_event(std::to_string(e));
    }
    for (auto& out : streams) out->end_event_stream();
  });

  boost::asio::io_context io;
  std::vector<std::unique_ptr<ClientStream>> clients;
  for (std::size_t i = 0; i < kStreams; ++i) {
    clients.push_back(std::make_unique<ClientStream>(io));
    clients.back()->start(server.ports()[0]);
  }
  io.run();
  producer.join();

  EXPECT_EQ(open_when_all_arrived, kStreams);
  std::size_t complete = 0;
  for (const auto& c : clients) {
    if (!c->error && c->response.result_int() == 200 &&
        event_data(c->response.body()) == std::vector<std::string>{"0", "1", "2"}) {
      ++complete;
    }
  }
  EXPECT_EQ(complete, kStreams) << "first error: " << [&] {
    for (const auto& c : clients) {
      if (c->error) return c->error.message();
    }
    return std::string("none");
  }();
}

}  // namespace
}  // namespace qwenrt::server::testing
