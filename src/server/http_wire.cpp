#include "server/http_wire.h"

#include <boost/beast/http/status.hpp>
#include <cstdio>

namespace qwenrt::server {

std::string response_head(int status, const HttpHeaders& headers) {
  namespace http = boost::beast::http;
  const auto reason = http::obsolete_reason(http::int_to_status(static_cast<unsigned>(status)));
  std::string head = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
  for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
  return head + "\r\n";
}

std::string body_chunk(std::string_view payload) {
  char size[20];
  const int n = std::snprintf(size, sizeof size, "%zx\r\n", payload.size());
  std::string chunk(size, static_cast<std::size_t>(n));
  chunk.reserve(chunk.size() + payload.size() + 2);
  return chunk.append(payload).append("\r\n");
}

}  // namespace qwenrt::server
