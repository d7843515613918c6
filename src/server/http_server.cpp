#include "server/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "core/error.h"

namespace qwenrt::server {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

// How long a listener waits after a failed accept (out of file descriptors, say) before the next:
// retrying at once would spin.
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);
// What stop() gives the connections it closes to finish closing before the I/O threads are let go.
constexpr auto kStopWait = std::chrono::seconds(2);

tcp::endpoint resolve(asio::io_context& io, const HttpEndpoint& endpoint) {
  tcp::resolver resolver(io);
  error_code error;
  const auto results = resolver.resolve(endpoint.host, std::to_string(endpoint.port),
                                        tcp::resolver::passive | tcp::resolver::numeric_service, error);
  if (error || results.empty()) {
    fail("cannot listen on ", endpoint.host, ":", endpoint.port, ": ", error ? error.message() : "no address");
  }
  return results.begin()->endpoint();
}

}  // namespace

struct HttpServer::Listener {
  explicit Listener(asio::io_context& io) : acceptor(asio::make_strand(io)), retry(acceptor.get_executor()) {}

  tcp::acceptor acceptor;
  asio::steady_timer retry;
};

HttpServer::HttpServer(HttpServerConfig config, std::vector<HttpRoute> routes)
    : config_(std::move(config)),
      context_(std::make_shared<HttpConnectionContext>(config_.limits,
                                                       HttpRouter(std::move(routes), config_.access))),
      work_(io_.get_executor()) {
  if (config_.endpoints.empty()) fail("the HTTP server needs an endpoint to listen on");
  for (const HttpEndpoint& endpoint : config_.endpoints) {
    auto listener = std::make_unique<Listener>(io_);
    const tcp::endpoint address = resolve(io_, endpoint);
    try {
      listener->acceptor.open(address.protocol());
      listener->acceptor.set_option(tcp::acceptor::reuse_address(true));
      listener->acceptor.bind(address);
      listener->acceptor.listen(asio::socket_base::max_listen_connections);
    } catch (const boost::system::system_error& e) {
      fail("cannot listen on ", endpoint.host, ":", endpoint.port, ": ", e.code().message());
    }
    ports_.push_back(listener->acceptor.local_endpoint().port());
    listeners_.push_back(std::move(listener));
  }
  for (auto& listener : listeners_) accept(*listener);
  const std::size_t threads = std::max<std::size_t>(1, config_.io_threads);
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { io_.run(); });
}

HttpServer::~HttpServer() { stop(); }

std::vector<std::string> HttpServer::urls() const {
  std::vector<std::string> urls;
  for (std::size_t i = 0; i < ports_.size(); ++i) {
    const std::string& host = config_.endpoints[i].host;
    const bool ipv6 = host.find(':') != std::string::npos;
    urls.push_back("http://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(ports_[i]));
  }
  return urls;
}

void HttpServer::accept(Listener& listener) {
  listener.acceptor.async_accept(asio::make_strand(io_), [this, &listener](error_code error, tcp::socket socket) {
    if (error == asio::error::operation_aborted || !listener.acceptor.is_open()) return;
    if (error) {
      listener.retry.expires_after(kAcceptRetry);
      listener.retry.async_wait([this, &listener](error_code wait_error) {
        if (!wait_error) accept(listener);
      });
      return;
    }
    std::make_shared<HttpConnection>(std::move(socket), context_)->start();
    accept(listener);
  });
}

void HttpServer::stop_accepting() {
  for (auto& listener : listeners_) {
    asio::post(listener->acceptor.get_executor(), [&listener = *listener] {
      error_code ignored;
      listener.acceptor.close(ignored);
      listener.retry.cancel();
    });
  }
}

bool HttpServer::close_connections(std::chrono::milliseconds timeout) {
  context_->draining = true;
  for (const auto& connection : context_->open.all()) connection->drain();
  return context_->open.wait_until_none(timeout);
}

void HttpServer::stop() {
  if (stopped_) return;
  stopped_ = true;
  stop_accepting();
  context_->draining = true;
  for (const auto& connection : context_->open.all()) connection->close_now();
  context_->open.wait_until_none(kStopWait);
  // With the listeners and connections closed nothing is left to do: the threads end by themselves
  // once the last handlers have run.
  work_.reset();
  for (auto& thread : threads_) thread.join();
}

}  // namespace qwenrt::server
