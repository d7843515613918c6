// One client connection of the HTTP server: reads requests one after another (keep-alive), hands each
// to its route with a responder, and writes the answer, whole or as a chunked event stream, while it
// watches the socket so that a client going away is noticed at once. Everything a connection does runs
// on its own strand; the responder posts there from any thread, so no thread ever waits on a client.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/http_router.h"
#include "server/open_connections.h"

namespace qwenrt::server {

struct HttpLimits {
  std::size_t max_body_bytes = 8u << 20;     // larger bodies get 413 before they are read
  std::size_t max_header_bytes = 64u << 10;  // larger request heads get 431
  // A keep-alive connection waiting for its next request is closed after this.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  // From a request's first byte to its last (stops clients that send a request slowly to hold a
  // connection forever). Answers, event streams included, have no time limit...
  std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
  // ...but a write that does not finish in this time means the client stopped reading: it is dropped.
  std::chrono::milliseconds write_timeout{std::chrono::seconds(60)};
};

// What every connection of one server shares; it outlives them all.
struct HttpConnectionContext {
  HttpConnectionContext(HttpLimits limits, HttpRouter router) : limits(limits), router(std::move(router)) {}

  const HttpLimits limits;
  const HttpRouter router;
  std::atomic<bool> draining{false};  // shutting down: no keep-alive, idle connections close
  OpenConnections open;
};

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  // socket's executor must be a strand of its own.
  HttpConnection(boost::asio::ip::tcp::socket socket, std::shared_ptr<HttpConnectionContext> context);
  ~HttpConnection();

  // Any thread. Starts reading requests.
  void start();
  // Any thread. An idle connection closes now; a busy one after its answer.
  void drain();
  // Any thread. Closes at once; an answer in progress counts as the client having gone.
  void close_now();

  // The responder's side (any thread): each acts only while exchange is the answer in progress.
  void respond(std::uint64_t exchange, HttpResponse response);
  void start_event_stream(std::uint64_t exchange);
  void send_event(std::uint64_t exchange, std::string data);
  void end_event_stream(std::uint64_t exchange);
  void add_disconnect_callback(std::uint64_t exchange, std::function<void()> callback);
  // The responder went away; an answer it never finished is ended for it.
  void abandon(std::uint64_t exchange);
  bool peer_gone() const { return peer_gone_.load(); }

 private:
  enum class Phase { kWaiting, kReading, kAnswering, kLingering, kClosed };
  enum class Answer { kNone, kStreaming, kComplete };

  template <typename Action>
  void on_strand(Action action);
  bool answering(std::uint64_t exchange) const;

  void next_request();
  void read();
  void on_read(boost::system::error_code error, std::size_t bytes);
  void parse_buffered();
  bool check_head();
  void refuse(boost::system::error_code parse_error);
  void dispatch();

  std::string head(int status, HttpHeaders headers) const;
  void answer(HttpResponse response);
  void complete_answer();
  void queue(std::string bytes);
  void flush();
  void on_written(boost::system::error_code error);
  void after_answer();
  void linger_then_close();
  void close();

  void arm(boost::asio::steady_timer& timer, std::chrono::steady_clock::duration after);
  static void disarm(boost::asio::steady_timer& timer);

  boost::asio::ip::tcp::socket socket_;
  const std::shared_ptr<HttpConnectionContext> context_;
  boost::asio::steady_timer read_timer_;
  boost::asio::steady_timer write_timer_;
  std::atomic<bool> peer_gone_{false};

  // Strand only.
  Phase phase_ = Phase::kWaiting;
  Answer answer_ = Answer::kNone;
  std::uint64_t exchange_ = 0;  // the request being answered; answers to earlier ones are dropped
  bool keep_alive_ = false;
  bool reading_ = false;
  bool head_checked_ = false;
  // A read lands in read_chunk_ and is then appended to buffer_: buffer_ itself may move while a read
  // is pending (the parser consumes what a read before brought).
  std::array<char, 8192> read_chunk_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  HttpHeaders cors_;
  std::vector<std::function<void()>> disconnect_callbacks_;
  std::shared_ptr<HttpConnection> self_while_answering_;  // the responder holds only a weak reference
  std::vector<std::string> queued_;
  bool writing_ = false;
  std::vector<std::string> in_flight_;
  std::vector<boost::asio::const_buffer> in_flight_buffers_;
};

}  // namespace qwenrt::server
