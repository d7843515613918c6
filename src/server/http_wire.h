// HTTP/1.1 response framing as bytes on the wire: the status line and headers, and the chunks of a
// chunked body (how a server-sent event stream of unknown length is sent).
#pragma once

#include <string>
#include <string_view>

#include "server/http_exchange.h"

namespace qwenrt::server {

// "HTTP/1.1 <status> <reason>\r\n" then each header, then the blank line.
std::string response_head(int status, const HttpHeaders& headers);

// One chunk of a chunked body: its length in hex, the payload, CRLFs. payload must not be empty (an
// empty chunk ends the body).
std::string body_chunk(std::string_view payload);

inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

// The interim answer to "Expect: 100-continue": the client may send the body now.
inline constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace qwenrt::server
