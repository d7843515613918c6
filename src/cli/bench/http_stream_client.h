// A minimal asynchronous HTTP/1.1 client (Boost.Beast over Asio coroutines) for the serving benchmark:
// one exchange per connection, as vLLM's client makes them, the request sent whole and the response
// body handed on piece by piece the moment each piece is read, with that moment, so that a streamed
// completion can be timed chunk by chunk.
#pragma once

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

namespace qwenrt::bench {

struct HttpServer {
  std::string host;
  std::string port;

  // "http://HOST[:PORT]" with an optional trailing "/"; throws Error for anything else (https, a path).
  static HttpServer from_base_url(const std::string& url);
  // "http://HOST:PORT", for messages.
  std::string url() const;
};

struct HttpResponseHead {
  int status = 0;
  std::string content_type;
};

// Called for each piece of the body as it is read; head is the response's status line and headers.
using HttpBodyCallback =
    std::function<void(const HttpResponseHead& head, std::string_view piece, std::chrono::steady_clock::time_point read_at)>;

// Connects to the first reachable of endpoints, sends method target (with body as JSON when not empty)
// and reads the response to its end, handing its body to on_body. Returns the head. Network and
// protocol failures throw boost::system::system_error.
boost::asio::awaitable<HttpResponseHead> http_exchange(const boost::asio::ip::tcp::resolver::results_type& endpoints,
                                                       const HttpServer& server, std::string_view method,
                                                       const std::string& target, const std::string& body,
                                                       const HttpBodyCallback& on_body);

// A whole exchange, waited for: {status, body}. Throws Error naming the server when it cannot be reached.
std::pair<int, std::string> http_fetch(const HttpServer& server, std::string_view method, const std::string& target,
                                       const std::string& body = {});

}  // namespace qwenrt::bench
