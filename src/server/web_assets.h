// The web chat page (src/server/web/), embedded in the binary at build time so that `qwenrt serve`
// needs no files beside it and the page works offline. embed_web_assets.cmake writes the table.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "server/http_exchange.h"

namespace qwenrt::server {

struct WebAsset {
  std::string_view path;          // where it is served, e.g. "/app.mjs"
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view body;          // the file's bytes
  std::string_view etag;          // a strong validator made from the file's SHA-256, quotes included
};

// Every file of src/server/web/, sorted by path.
std::span<const WebAsset> web_assets();

// GET / (the page itself) and GET of each asset: public (no API key: the page asks for it), with
// ETag and Cache-Control: no-cache so that browsers revalidate and get 304 until the binary changes,
// and a Content-Security-Policy that lets the page load nothing but itself and talk to nothing but
// this server.
std::vector<HttpRoute> web_routes();

}  // namespace qwenrt::server
