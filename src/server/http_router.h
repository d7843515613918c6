// What the transport decides from a request alone, before any handler runs: which route answers it, or
// the answer itself (404 unknown path, 405 wrong method, 401 missing or wrong API key, CORS preflight),
// and the CORS headers every answer to a browser on another origin carries. Pure logic, no sockets.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/api_error.h"
#include "server/http_exchange.h"

namespace qwenrt::server {

// A whole answer, written with Content-Length.
struct HttpResponse {
  int status = 200;
  std::string content_type;
  std::string body;
  HttpHeaders headers;
};

// OpenAI's error shape as a response.
HttpResponse error_response(const ApiError& error);

struct AccessPolicy {
  std::string api_key;  // empty: every route is open
  // Origins whose browser pages may call the API; "*" allows any (vLLM's default).
  std::vector<std::string> allowed_origins = {"*"};
};

// Constant-time equality (the time depends on expected's length only), so that a client cannot find
// the API key byte by byte from response times.
bool same_secret(std::string_view given, std::string_view expected);

class HttpRouter {
 public:
  HttpRouter(std::vector<HttpRoute> routes, AccessPolicy policy);

  struct Decision {
    const HttpHandler* handler = nullptr;  // set: call it
    HttpResponse response;                 // otherwise: answer with this
  };
  Decision route(const HttpRequest& request) const;

  // Headers for any answer to request: Access-Control-Allow-Origin when it comes from an allowed origin.
  HttpHeaders cors_headers(const HttpRequest& request) const;

 private:
  bool origin_allowed(std::string_view origin) const;
  bool authorized(const HttpRequest& request) const;
  HttpResponse preflight(const HttpRequest& request, const std::string& methods) const;

  std::vector<HttpRoute> routes_;
  AccessPolicy policy_;
};

}  // namespace qwenrt::server
