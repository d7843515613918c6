// A blocking HTTP/1.1 client over loopback for tests, on Beast: raw bytes or whole requests out,
// responses (or a streamed response's head first, its body later) in. Every operation has a deadline,
// so a server that fails to answer fails the test instead of hanging it.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace qwenrt::server::testing {

namespace http = boost::beast::http;
using Response = http::response<http::string_body>;

inline constexpr auto kClientDeadline = std::chrono::seconds(30);

class TestClient {
 public:
  explicit TestClient(std::uint16_t port, std::string host = "127.0.0.1") {
    run([&](auto done) {
      stream_.async_connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address(host), port),
                            [done](boost::system::error_code e) { done(e); });
    });
  }

  void write(const std::string& raw) {
    run([&](auto done) {
      boost::asio::async_write(stream_, boost::asio::buffer(raw),
                               [done](boost::system::error_code e, std::size_t) { done(e); });
    });
  }

  // method target, with Host and Content-Length set; headers as given.
  void send(http::verb method, const std::string& target, const std::string& body = "",
            const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    http::request<http::string_body> request(method, target, 11);
    request.set(http::field::host, "localhost");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    if (!body.empty() || method == http::verb::post) request.prepare_payload();
    run([&](auto done) {
      http::async_write(stream_, request, [done](boost::system::error_code e, std::size_t) { done(e); });
    });
  }

  Response read() {
    read_head();
    return read_rest();
  }

  // A response's head; its body follows with read_rest (an event stream keeps it open meanwhile).
  const http::response_parser<http::string_body>::value_type& read_head() {
    parser_.emplace();
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    run([&](auto done) {
      http::async_read_header(stream_, buffer_, *parser_, [done](boost::system::error_code e, std::size_t) { done(e); });
    });
    return parser_->get();
  }

  Response read_rest() {
    run([&](auto done) {
      http::async_read(stream_, buffer_, *parser_, [done](boost::system::error_code e, std::size_t) { done(e); });
    });
    return parser_->release();
  }

  // True when the server has closed the connection (the next read ends without data), false when it
  // sent more bytes.
  bool closed_by_server() {
    if (buffer_.size() > 0) return false;
    char byte;
    boost::system::error_code error;
    std::size_t got = 0;
    run_allowing_errors([&](auto done) {
      stream_.async_read_some(boost::asio::buffer(&byte, 1), [&, done](boost::system::error_code e, std::size_t n) {
        got = n;
        done(e);
      });
    }, error);
    if (error == boost::beast::error::timeout) throw std::runtime_error("the server kept the connection open");
    return got == 0;
  }

  void close() {
    boost::system::error_code ignored;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

 private:
  template <typename Start>
  void run(Start start) {
    boost::system::error_code error;
    run_allowing_errors(start, error);
    if (error) throw boost::system::system_error(error);
  }

  template <typename Start>
  void run_allowing_errors(Start start, boost::system::error_code& error) {
    stream_.expires_after(kClientDeadline);
    start([&error](boost::system::error_code e) { error = e; });
    io_.restart();
    io_.run();
  }

  boost::asio::io_context io_;
  boost::beast::tcp_stream stream_{io_};
  boost::beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
};

// Waits up to 20 s for condition (a bound against hanging, not a timing check).
inline bool eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// One request on a connection of its own.
inline Response fetch(std::uint16_t port, http::verb method, const std::string& target, const std::string& body = "",
                      const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  TestClient client(port);
  client.send(method, target, body, headers);
  return client.read();
}

// The data of each server-sent event in an event stream's body.
inline std::vector<std::string> event_data(const std::string& body) {
  std::vector<std::string> events;
  std::size_t pos = 0;
  while (true) {
    const std::size_t end = body.find("\n\n", pos);
    if (end == std::string::npos) break;
    std::string_view event(body.data() + pos, end - pos);
    if (event.substr(0, 6) == "data: ") events.emplace_back(event.substr(6));
    pos = end + 2;
  }
  return events;
}

}  // namespace qwenrt::server::testing
