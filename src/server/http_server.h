// The HTTP/1.1 server: a few I/O threads run one io_context for every listening endpoint and every
// connection (each connection on its own strand), so thousands of connections, most of them waiting on
// a slow event stream, cost no thread each. Every endpoint serves the same routes.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server/http_connection.h"
#include "server/http_router.h"

namespace qwenrt::server {

struct HttpEndpoint {
  std::string host;        // a name or address; 0.0.0.0 or :: for every interface
  std::uint16_t port = 0;  // 0: any free port (tests)
};

struct HttpServerConfig {
  std::vector<HttpEndpoint> endpoints;
  std::size_t io_threads = 4;
  HttpLimits limits;
  AccessPolicy access;
};

class HttpServer {
 public:
  // Binds every endpoint and starts serving. Throws Error naming the endpoint that cannot be bound.
  HttpServer(HttpServerConfig config, std::vector<HttpRoute> routes);
  // stop().
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The port each endpoint listens on, in the config's order (port 0 resolved).
  const std::vector<std::uint16_t>& ports() const { return ports_; }
  // "http://host:port" for each endpoint.
  std::vector<std::string> urls() const;

  // Shutting down, step by step. First no new connections (those open may still send requests)...
  void stop_accepting();
  // ...then every connection closes once its answer is written, idle ones at once. True when all have
  // closed within timeout...
  bool close_connections(std::chrono::milliseconds timeout);
  // ...and last the rest close (an answer still in progress counts as its client gone) and the I/O
  // threads end.
  void stop();

  std::size_t open_connections() const { return context_->open.count(); }

 private:
  struct Listener;
  void accept(Listener& listener);

  HttpServerConfig config_;
  std::shared_ptr<HttpConnectionContext> context_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::vector<std::uint16_t> ports_;
  std::vector<std::thread> threads_;
  bool stopped_ = false;
};

}  // namespace qwenrt::server
