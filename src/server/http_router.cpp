#include "server/http_router.h"

#include <algorithm>
#include <cctype>

namespace qwenrt::server {
namespace {

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(),
                    [](unsigned char a, unsigned char b) { return std::tolower(a) == std::tolower(b); });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

HttpResponse empty_response(int status, HttpHeaders headers) { return {status, "", "", std::move(headers)}; }

}  // namespace

HttpResponse error_response(const ApiError& error) {
  return {error.status, "application/json", api_error_body(error), {}};
}

bool same_secret(std::string_view given, std::string_view expected) {
  unsigned difference = given.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const unsigned char g = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    difference |= g ^ static_cast<unsigned char>(expected[i]);
  }
  return difference == 0;
}

HttpRouter::HttpRouter(std::vector<HttpRoute> routes, AccessPolicy policy)
    : routes_(std::move(routes)), policy_(std::move(policy)) {}

HttpRouter::Decision HttpRouter::route(const HttpRequest& request) const {
  const HttpRoute* match = nullptr;
  std::string methods;
  for (const HttpRoute& r : routes_) {
    if (r.path != request.path) continue;
    if (r.method == request.method) match = &r;
    if (methods.find(r.method + ", ") == std::string::npos) methods += r.method + ", ";
  }
  if (methods.empty()) {
    return {nullptr, error_response(ApiError(404, "Invalid URL (" + request.method + " " + request.path + ")"))};
  }
  methods += "OPTIONS";
  if (!match && request.method == "OPTIONS") {
    if (request.header("Origin") && request.header("Access-Control-Request-Method")) {
      return {nullptr, preflight(request, methods)};
    }
    return {nullptr, empty_response(204, {{"Allow", methods}})};
  }
  if (!match) {
    HttpResponse r = error_response(
        ApiError(405, request.path + " does not take " + request.method + " (it takes " + methods + ")"));
    r.headers.emplace_back("Allow", methods);
    return {nullptr, std::move(r)};
  }
  if (!match->public_route && !policy_.api_key.empty() && !authorized(request)) {
    const bool sent = request.header("Authorization").has_value();
    HttpResponse r = error_response(ApiError(
        401,
        sent ? "Incorrect API key provided (send the server's --api-key as 'Authorization: Bearer KEY')"
             : "You didn't provide an API key (send it as the header 'Authorization: Bearer KEY')",
        "invalid_request_error", std::nullopt, "invalid_api_key"));
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return {nullptr, std::move(r)};
  }
  return {&match->handler, {}};
}

HttpHeaders HttpRouter::cors_headers(const HttpRequest& request) const {
  const auto origin = request.header("Origin");
  if (!origin || !origin_allowed(*origin)) return {};
  const bool any = std::find(policy_.allowed_origins.begin(), policy_.allowed_origins.end(), "*") !=
                   policy_.allowed_origins.end();
  if (any) return {{"Access-Control-Allow-Origin", "*"}};
  return {{"Access-Control-Allow-Origin", std::string(*origin)}, {"Vary", "Origin"}};
}

bool HttpRouter::origin_allowed(std::string_view origin) const {
  return std::any_of(policy_.allowed_origins.begin(), policy_.allowed_origins.end(),
                     [&](const std::string& allowed) { return allowed == "*" || allowed == origin; });
}

bool HttpRouter::authorized(const HttpRequest& request) const {
  const auto value = request.header("Authorization");
  constexpr std::string_view kScheme = "Bearer ";
  if (!value || !starts_with_ignoring_case(*value, kScheme)) return false;
  return same_secret(trim(value->substr(kScheme.size())), policy_.api_key);
}

HttpResponse HttpRouter::preflight(const HttpRequest& request, const std::string& methods) const {
  const std::string_view origin = *request.header("Origin");
  if (!origin_allowed(origin)) {
    return error_response(ApiError(403, "origin " + std::string(origin) +
                                            " may not call this server (the server's --allowed-origins)"));
  }
  const auto asked_headers = request.header("Access-Control-Request-Headers");
  return empty_response(204, {{"Access-Control-Allow-Methods", methods},
                              {"Access-Control-Allow-Headers",
                               asked_headers ? std::string(*asked_headers) : "Authorization, Content-Type"},
                              {"Access-Control-Max-Age", "600"}});
}

}  // namespace qwenrt::server
