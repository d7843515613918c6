// GCC 12 sees Beast's request parser (boost::optional inside basic_parser::put) as reading an
// uninitialised value when it inlines it under the sanitizers: a false positive in Boost's code.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "server/http_connection.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <iostream>

#include "server/http_wire.h"

namespace qwenrt::server {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

// Bytes of a next (pipelined) request kept while an answer is in progress; beyond them the connection
// stops reading until the answer is done, and with that stops noticing a disconnect early.
constexpr std::size_t kMaxPipelinedBytes = 64u << 10;
// After the last answer of a connection the server stops sending, then reads and drops what the client
// still sends for this long before it closes: closing with unread data would reset the connection and
// could destroy the answer (a 413, say) before the client has read it.
constexpr auto kLingerTime = std::chrono::seconds(1);

// The callbacks belong to handlers; one that throws must not take an I/O thread down with it.
void run_disconnect_callback(const std::function<void()>& callback) {
  try {
    callback();
  } catch (const std::exception& e) {
    std::cerr << "qwenrt: a disconnect callback failed: " << e.what() << "\n";
  }
}

class ConnectionResponder final : public HttpResponder {
 public:
  ConnectionResponder(std::weak_ptr<HttpConnection> connection, std::uint64_t exchange)
      : connection_(std::move(connection)), exchange_(exchange) {}
  ~ConnectionResponder() override {
    if (auto c = connection_.lock()) c->abandon(exchange_);
  }

  void respond(int status, std::string content_type, std::string body, HttpHeaders extra) override {
    if (auto c = connection_.lock()) {
      c->respond(exchange_, {status, std::move(content_type), std::move(body), std::move(extra)});
    }
  }
  void start_event_stream() override {
    if (auto c = connection_.lock()) c->start_event_stream(exchange_);
  }
  void send_event(std::string data) override {
    if (auto c = connection_.lock()) c->send_event(exchange_, std::move(data));
  }
  void end_event_stream() override {
    if (auto c = connection_.lock()) c->end_event_stream(exchange_);
  }
  void on_disconnect(std::function<void()> callback) override {
    if (auto c = connection_.lock()) {
      c->add_disconnect_callback(exchange_, std::move(callback));
    } else {
      run_disconnect_callback(callback);
    }
  }
  bool disconnected() const override {
    const auto c = connection_.lock();
    return !c || c->peer_gone();
  }

 private:
  const std::weak_ptr<HttpConnection> connection_;
  const std::uint64_t exchange_;
};

// An event's data as "data:" lines: a newline inside it starts another line of the same event.
std::string event_text(std::string_view data) {
  std::string text = "data: ";
  for (const char c : data) {
    if (c == '\n') {
      text += "\ndata: ";
    } else {
      text += c;
    }
  }
  return text + "\n\n";
}

HttpRequest to_request(http::request<http::string_body>& message) {
  HttpRequest request;
  request.method = std::string(message.method_string());
  const std::string_view target(message.target().data(), message.target().size());
  const auto question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
  for (const auto& field : message) {
    request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  request.body = std::move(message.body());
  return request;
}

}  // namespace

HttpConnection::HttpConnection(asio::ip::tcp::socket socket, std::shared_ptr<HttpConnectionContext> context)
    : socket_(std::move(socket)),
      context_(std::move(context)),
      read_timer_(socket_.get_executor()),
      write_timer_(socket_.get_executor()) {}

HttpConnection::~HttpConnection() { context_->open.remove(this); }

template <typename Action>
void HttpConnection::on_strand(Action action) {
  asio::post(socket_.get_executor(), [self = shared_from_this(), action = std::move(action)]() mutable { action(); });
}

void HttpConnection::start() {
  context_->open.add(shared_from_this());
  error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);  // events are small and must go out at once
  on_strand([this] { next_request(); });
}

void HttpConnection::drain() {
  on_strand([this] {
    if (phase_ == Phase::kWaiting) {
      close();
    } else {
      keep_alive_ = false;
    }
  });
}

void HttpConnection::close_now() {
  on_strand([this] { close(); });
}

bool HttpConnection::answering(std::uint64_t exchange) const {
  return phase_ == Phase::kAnswering && exchange == exchange_ && answer_ != Answer::kComplete;
}

void HttpConnection::respond(std::uint64_t exchange, HttpResponse response) {
  on_strand([this, exchange, response = std::move(response)]() mutable {
    if (answering(exchange) && answer_ == Answer::kNone) answer(std::move(response));
  });
}

void HttpConnection::start_event_stream(std::uint64_t exchange) {
  on_strand([this, exchange] {
    if (!answering(exchange) || answer_ != Answer::kNone) return;
    answer_ = Answer::kStreaming;
    // X-Accel-Buffering: a proxy such as nginx would otherwise hold the events back.
    queue(head(200, {{"Content-Type", "text/event-stream"},
                     {"Cache-Control", "no-cache"},
                     {"X-Accel-Buffering", "no"},
                     {"Transfer-Encoding", "chunked"}}));
  });
}

void HttpConnection::send_event(std::uint64_t exchange, std::string data) {
  on_strand([this, exchange, data = std::move(data)] {
    if (answering(exchange) && answer_ == Answer::kStreaming) queue(body_chunk(event_text(data)));
  });
}

void HttpConnection::end_event_stream(std::uint64_t exchange) {
  on_strand([this, exchange] {
    if (!answering(exchange) || answer_ != Answer::kStreaming) return;
    queue(std::string(kLastChunk));
    complete_answer();
  });
}

void HttpConnection::add_disconnect_callback(std::uint64_t exchange, std::function<void()> callback) {
  on_strand([this, exchange, callback = std::move(callback)]() mutable {
    if (exchange != exchange_) return;
    if (phase_ == Phase::kClosed) {
      if (peer_gone_) run_disconnect_callback(callback);
    } else if (answering(exchange)) {
      disconnect_callbacks_.push_back(std::move(callback));
    }
  });
}

void HttpConnection::abandon(std::uint64_t exchange) {
  on_strand([this, exchange] {
    if (!answering(exchange)) return;
    if (answer_ == Answer::kNone) {
      answer(error_response(ApiError(500, "the request's handler ended without an answer", "internal_server_error")));
      return;
    }
    // A stream cut short must not look complete: no last chunk, and the connection closes.
    keep_alive_ = false;
    complete_answer();
  });
}

void HttpConnection::next_request() {
  phase_ = Phase::kWaiting;
  answer_ = Answer::kNone;
  head_checked_ = false;
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(context_->limits.max_header_bytes));
  parser_->body_limit(context_->limits.max_body_bytes);
  if (buffer_.size() > 0) {
    phase_ = Phase::kReading;
    arm(read_timer_, context_->limits.request_timeout);
    parse_buffered();
    return;
  }
  if (context_->draining) {
    close();
    return;
  }
  arm(read_timer_, context_->limits.idle_timeout);
  read();
}

void HttpConnection::read() {
  if (reading_ || phase_ == Phase::kClosed) return;
  reading_ = true;
  socket_.async_read_some(asio::buffer(read_chunk_), [self = shared_from_this()](error_code error, std::size_t bytes) {
    self->on_read(error, bytes);
  });
}

void HttpConnection::on_read(error_code error, std::size_t bytes) {
  reading_ = false;
  if (phase_ == Phase::kClosed) return;
  if (error) {  // the client closed or reset the connection
    close();
    return;
  }
  buffer_.commit(asio::buffer_copy(buffer_.prepare(bytes), asio::buffer(read_chunk_.data(), bytes)));
  switch (phase_) {
    case Phase::kWaiting:
      phase_ = Phase::kReading;
      arm(read_timer_, context_->limits.request_timeout);
      parse_buffered();
      break;
    case Phase::kReading:
      parse_buffered();
      break;
    case Phase::kAnswering:
      // Bytes now are the next request, sent ahead; reading on is how a disconnect shows.
      if (buffer_.size() < kMaxPipelinedBytes) read();
      break;
    case Phase::kLingering:
      buffer_.consume(buffer_.size());
      read();
      break;
    case Phase::kClosed:
      break;
  }
}

void HttpConnection::parse_buffered() {
  while (!parser_->is_done()) {
    if (buffer_.size() == 0) {
      read();
      return;
    }
    error_code error;
    const std::size_t used = parser_->put(buffer_.data(), error);
    buffer_.consume(used);
    if (error == http::error::need_more || (!error && used == 0)) {
      read();
      return;
    }
    if (error) {
      refuse(error);
      return;
    }
    if (parser_->is_header_done() && !head_checked_) {
      head_checked_ = true;
      if (!check_head()) return;
    }
  }
  dispatch();
}

bool HttpConnection::check_head() {
  const auto& message = parser_->get();
  if (message.version() != 11 && message.version() != 10) {
    refuse(http::error::bad_version);
    return false;
  }
  if (!parser_->is_done() && boost::beast::iequals(message[http::field::expect], "100-continue")) {
    queue(std::string(kContinue));
  }
  return true;
}

void HttpConnection::refuse(error_code parse_error) {
  disarm(read_timer_);
  phase_ = Phase::kAnswering;
  answer_ = Answer::kNone;
  ++exchange_;
  keep_alive_ = false;
  cors_.clear();
  if (parse_error == http::error::body_limit) {
    answer(error_response(ApiError(413, "the request body is larger than the server's limit of " +
                                            std::to_string(context_->limits.max_body_bytes) + " bytes")));
  } else if (parse_error == http::error::header_limit) {
    answer(error_response(ApiError(431, "the request's header is larger than " +
                                            std::to_string(context_->limits.max_header_bytes) + " bytes")));
  } else {
    answer(error_response(ApiError(400, "malformed HTTP request: " + parse_error.message())));
  }
}

void HttpConnection::dispatch() {
  disarm(read_timer_);
  HttpRequest request = to_request(parser_->get());
  phase_ = Phase::kAnswering;
  answer_ = Answer::kNone;
  ++exchange_;
  keep_alive_ = parser_->get().keep_alive() && !context_->draining;
  cors_ = context_->router.cors_headers(request);
  read();
  HttpRouter::Decision decision = context_->router.route(request);
  if (!decision.handler) {
    answer(std::move(decision.response));
    return;
  }
  self_while_answering_ = shared_from_this();
  const auto responder = std::make_shared<ConnectionResponder>(weak_from_this(), exchange_);
  try {
    (*decision.handler)(request, responder);
  } catch (const ApiError& e) {
    respond(exchange_, error_response(e));
  } catch (const std::exception& e) {
    respond(exchange_, error_response(ApiError(500, e.what(), "internal_server_error")));
  }
}

std::string HttpConnection::head(int status, HttpHeaders headers) const {
  headers.insert(headers.end(), cors_.begin(), cors_.end());
  headers.emplace_back("Connection", keep_alive_ ? "keep-alive" : "close");
  return response_head(status, headers);
}

void HttpConnection::answer(HttpResponse response) {
  HttpHeaders headers;
  if (!response.content_type.empty()) headers.emplace_back("Content-Type", std::move(response.content_type));
  // 204 and 304 carry no body, and no length: a 304's would be taken for the cached representation's.
  const bool bodiless = response.status == 204 || response.status == 304;
  if (bodiless) response.body.clear();
  if (!bodiless) headers.emplace_back("Content-Length", std::to_string(response.body.size()));
  headers.insert(headers.end(), std::make_move_iterator(response.headers.begin()),
                 std::make_move_iterator(response.headers.end()));
  queue(head(response.status, std::move(headers)) + response.body);
  complete_answer();
}

void HttpConnection::complete_answer() {
  answer_ = Answer::kComplete;
  disconnect_callbacks_.clear();
  flush();
}

void HttpConnection::queue(std::string bytes) {
  queued_.push_back(std::move(bytes));
  flush();
}

void HttpConnection::flush() {
  if (writing_ || phase_ == Phase::kClosed) return;
  if (queued_.empty()) {
    if (phase_ == Phase::kAnswering && answer_ == Answer::kComplete) after_answer();
    return;
  }
  writing_ = true;
  in_flight_.swap(queued_);
  in_flight_buffers_.clear();
  for (const std::string& bytes : in_flight_) in_flight_buffers_.emplace_back(asio::buffer(bytes));
  arm(write_timer_, context_->limits.write_timeout);
  asio::async_write(socket_, in_flight_buffers_,
                    [self = shared_from_this()](error_code error, std::size_t) { self->on_written(error); });
}

void HttpConnection::on_written(error_code error) {
  writing_ = false;
  in_flight_.clear();
  disarm(write_timer_);
  if (phase_ == Phase::kClosed) return;
  if (error) {
    close();
    return;
  }
  flush();
}

void HttpConnection::after_answer() {
  self_while_answering_.reset();  // safe: every caller runs in a handler that holds the connection
  if (keep_alive_) {
    next_request();
  } else {
    linger_then_close();
  }
}

void HttpConnection::linger_then_close() {
  phase_ = Phase::kLingering;
  error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  buffer_.consume(buffer_.size());
  arm(read_timer_, kLingerTime);
  read();
}

void HttpConnection::close() {
  if (phase_ == Phase::kClosed) return;
  const bool unanswered = phase_ == Phase::kAnswering && answer_ != Answer::kComplete;
  phase_ = Phase::kClosed;
  disarm(read_timer_);
  disarm(write_timer_);
  error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  queued_.clear();
  auto callbacks = std::move(disconnect_callbacks_);
  disconnect_callbacks_.clear();
  if (unanswered) {
    peer_gone_ = true;
    for (const auto& callback : callbacks) run_disconnect_callback(callback);
  }
  context_->open.remove(this);
  self_while_answering_.reset();
}

// A timer that fires closes the connection, unless it was re-armed or disarmed meanwhile (its expiry
// then lies in the future): cancel() alone could not stop a wait already completed and queued.
void HttpConnection::arm(asio::steady_timer& timer, std::chrono::steady_clock::duration after) {
  timer.expires_after(after);
  timer.async_wait([self = shared_from_this(), &timer](error_code error) {
    if (error || timer.expiry() > std::chrono::steady_clock::now()) return;
    self->close();
  });
}

void HttpConnection::disarm(asio::steady_timer& timer) { timer.expires_at(asio::steady_timer::time_point::max()); }

}  // namespace qwenrt::server
