#include "server/web_assets.h"

#include <memory>
#include <string>

namespace qwenrt::server {
namespace {

// The page runs nothing it did not bring and connects only to the server that served it, so that a
// model's answer can never load or send anything even if it got past the Markdown renderer's escaping.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// If-None-Match holds "*" or a comma-separated list of entity tags, compared weakly (RFC 9110 13.1.2):
// a W/ prefix does not matter.
bool matches_etag(std::string_view if_none_match, std::string_view etag) {
  while (!if_none_match.empty()) {
    const std::size_t comma = if_none_match.find(',');
    std::string_view tag = trim(if_none_match.substr(0, comma));
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

void serve(const WebAsset& asset, const HttpRequest& request, HttpResponder& responder) {
  HttpHeaders headers = {{"ETag", std::string(asset.etag)},
                         {"Cache-Control", "no-cache"},
                         {"X-Content-Type-Options", "nosniff"}};
  if (asset.content_type.starts_with("text/html")) {
    headers.emplace_back("Content-Security-Policy", std::string(kContentSecurityPolicy));
    headers.emplace_back("Referrer-Policy", "no-referrer");
  }
  const auto if_none_match = request.header("If-None-Match");
  if (if_none_match && matches_etag(*if_none_match, asset.etag)) {
    responder.respond(304, std::string(asset.content_type), "", std::move(headers));
  } else {
    responder.respond(200, std::string(asset.content_type), std::string(asset.body), std::move(headers));
  }
}

}  // namespace

std::vector<HttpRoute> web_routes() {
  std::vector<HttpRoute> routes;
  for (const WebAsset& asset : web_assets()) {
    // The assets live in a static table, so the handlers may point at them.
    HttpHandler handler = [&asset](const HttpRequest& request, const std::shared_ptr<HttpResponder>& responder) {
      serve(asset, request, *responder);
    };
    if (asset.path == "/index.html") routes.push_back({"GET", "/", handler, true});
    routes.push_back({"GET", std::string(asset.path), std::move(handler), true});
  }
  return routes;
}

}  // namespace qwenrt::server
