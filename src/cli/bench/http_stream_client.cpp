#include "cli/bench/http_stream_client.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <limits>

#include "core/error.h"

namespace qwenrt::bench {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

}  // namespace

HttpServer HttpServer::from_base_url(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  std::string_view rest = url;
  if (!rest.starts_with(kScheme)) fail("--base-url: expected http://HOST:PORT, got \"", url, "\"");
  rest.remove_prefix(kScheme.size());
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.empty() || rest.find('/') != std::string_view::npos) {
    fail("--base-url: expected http://HOST:PORT without a path (the endpoint is --endpoint), got \"", url, "\"");
  }
  // A bracketed IPv6 address has colons of its own.
  const std::size_t host_end = rest.starts_with('[') ? rest.find(']') + 1 : 0;
  const std::size_t colon = rest.find(':', host_end);
  HttpServer server;
  server.host = std::string(rest.substr(0, colon));
  server.port = colon == std::string_view::npos ? "80" : std::string(rest.substr(colon + 1));
  if (server.host.starts_with('[')) server.host = server.host.substr(1, server.host.size() - 2);
  if (server.host.empty() || server.port.empty() ||
      server.port.find_first_not_of("0123456789") != std::string::npos) {
    fail("--base-url: expected http://HOST:PORT, got \"", url, "\"");
  }
  return server;
}

std::string HttpServer::url() const {
  return host.find(':') != std::string::npos ? str_cat("http://[", host, "]:", port) : str_cat("http://", host, ":", port);
}

asio::awaitable<HttpResponseHead> http_exchange(const tcp::resolver::results_type& endpoints, const HttpServer& server,
                                                std::string_view method, const std::string& target,
                                                const std::string& body, const HttpBodyCallback& on_body) {
  tcp::socket socket(co_await asio::this_coro::executor);
  co_await asio::async_connect(socket, endpoints, asio::use_awaitable);
  socket.set_option(tcp::no_delay(true));

  http::request<http::string_body> request(http::string_to_verb({method.data(), method.size()}), target, 11);
  request.set(http::field::host, server.host + ":" + server.port);
  request.set(http::field::user_agent, "qwenrt-bench");
  request.keep_alive(false);
  if (!body.empty()) {
    request.set(http::field::content_type, "application/json");
    request.body() = body;
  }
  request.prepare_payload();
  co_await http::async_write(socket, request, asio::use_awaitable);

  boost::beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  // No limit; Boost 1.74 reads boost::none here as a limit of nothing, hence the largest value.
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  co_await http::async_read_header(socket, buffer, parser, asio::use_awaitable);
  const HttpResponseHead head{static_cast<int>(parser.get().result_int()),
                              std::string(parser.get()[http::field::content_type])};
  // Each read hands on what it got at once: waiting to fill the piece would delay a streamed token.
  char piece[16384];
  while (!parser.is_done()) {
    parser.get().body().data = piece;
    parser.get().body().size = sizeof piece;
    boost::system::error_code error;
    co_await http::async_read_some(socket, buffer, parser, asio::redirect_error(asio::use_awaitable, error));
    const auto read_at = std::chrono::steady_clock::now();
    if (error && error != http::error::need_buffer) throw boost::system::system_error(error);
    const std::size_t size = sizeof piece - parser.get().body().size;
    if (size > 0) on_body(head, std::string_view(piece, size), read_at);
  }
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  co_return head;
}

std::pair<int, std::string> http_fetch(const HttpServer& server, std::string_view method, const std::string& target,
                                       const std::string& body) {
  asio::io_context io;
  std::pair<int, std::string> result;
  std::exception_ptr failure;
  try {
    const tcp::resolver::results_type endpoints = tcp::resolver(io).resolve(server.host, server.port);
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          const HttpResponseHead head = co_await http_exchange(
              endpoints, server, method, target, body,
              [&](const HttpResponseHead&, std::string_view piece, std::chrono::steady_clock::time_point) {
                result.second += piece;
              });
          result.first = head.status;
        },
        [&](std::exception_ptr e) { failure = e; });
    io.run();
    if (failure) std::rethrow_exception(failure);
  } catch (const boost::system::system_error& e) {
    fail(server.url(), target, ": ", e.code().message());
  }
  return result;
}

}  // namespace qwenrt::bench
