// The embedded web page: every file of src/server/web/ is in the binary byte for byte, served at its
// path with the right type, revalidated through its ETag, and every file the page refers to exists.
#include "server/web_assets.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace qwenrt::server {
namespace {

const std::filesystem::path kWebDir = std::filesystem::path(QWENRT_SOURCE_DIR) / "src/server/web";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Captures what a handler answers, as the HTTP transport would send it.
struct RecordedResponder : HttpResponder {
  int status = 0;
  std::string content_type;
  std::string body;
  HttpHeaders headers;
  int responses = 0;

  void respond(int s, std::string type, std::string b, HttpHeaders extra) override {
    status = s;
    content_type = std::move(type);
    body = std::move(b);
    headers = std::move(extra);
    ++responses;
  }
  void start_event_stream() override { ADD_FAILURE() << "a static file is never an event stream"; }
  void send_event(std::string) override { ADD_FAILURE() << "a static file is never an event stream"; }
  void end_event_stream() override { ADD_FAILURE() << "a static file is never an event stream"; }
  void on_disconnect(std::function<void()>) override {}
  bool disconnected() const override { return false; }

  std::string header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (key == name) return value;
    }
    return "";
  }
};

std::shared_ptr<RecordedResponder> get(const std::string& path, HttpHeaders headers = {}) {
  HttpRequest request{.method = "GET", .path = path, .headers = std::move(headers)};
  auto responder = std::make_shared<RecordedResponder>();
  for (const HttpRoute& route : web_routes()) {
    if (route.method == request.method && route.path == request.path) route.handler(request, responder);
  }
  return responder;
}

TEST(WebAssets, EveryFileOfTheWebFolderIsEmbeddedByteForByte) {
  ASSERT_TRUE(std::filesystem::is_directory(kWebDir)) << kWebDir;
  std::set<std::string> on_disk;
  for (const auto& entry : std::filesystem::directory_iterator(kWebDir)) {
    on_disk.insert(std::string("/").append(entry.path().filename().string()));
  }
  std::set<std::string> embedded;
  for (const WebAsset& asset : web_assets()) {
    embedded.insert(std::string(asset.path));
    EXPECT_EQ(asset.body, read_file(kWebDir / std::string(asset.path.substr(1)))) << asset.path;
  }
  EXPECT_EQ(embedded, on_disk) << "list each file of src/server/web/ in src/server/CMakeLists.txt";
}

TEST(WebAssets, RootServesThePageWithItsTypeAndPolicy) {
  const auto page = get("/");
  ASSERT_EQ(page->responses, 1);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(page->body, read_file(kWebDir / "index.html"));
  EXPECT_EQ(page->header("Cache-Control"), "no-cache");
  EXPECT_NE(page->header("Content-Security-Policy").find("connect-src 'self'"), std::string::npos);
  EXPECT_EQ(page->header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(get("/index.html")->body, page->body);
}

TEST(WebAssets, EachKindOfFileGetsItsContentType) {
  EXPECT_EQ(get("/app.mjs")->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(get("/style.css")->content_type, "text/css; charset=utf-8");
  EXPECT_EQ(get("/favicon.svg")->content_type, "image/svg+xml");
  EXPECT_EQ(get("/nothing-here.js")->responses, 0) << "no route for a file that is not embedded";
}

TEST(WebAssets, RoutesArePublicGets) {
  const auto routes = web_routes();
  EXPECT_EQ(routes.size(), web_assets().size() + 1);  // each file, and the page again at /
  for (const HttpRoute& route : routes) {
    EXPECT_EQ(route.method, "GET") << route.path;
    EXPECT_TRUE(route.public_route) << route.path;
  }
}

TEST(WebAssets, AMatchingEtagGetsNotModifiedWithoutABody) {
  const auto first = get("/markdown.mjs");
  const std::string etag = first->header("ETag");
  ASSERT_EQ(etag.size(), 22u) << etag;  // twenty hex digits of SHA-256, quoted
  EXPECT_EQ(etag.front(), '"');

  for (const std::string& if_none_match : {etag, "W/" + etag, "\"other\", " + etag, std::string("*")}) {
    const auto again = get("/markdown.mjs", {{"If-None-Match", if_none_match}});
    EXPECT_EQ(again->status, 304) << if_none_match;
    EXPECT_TRUE(again->body.empty());
    EXPECT_EQ(again->header("ETag"), etag);
  }
  const auto changed = get("/markdown.mjs", {{"if-none-match", "\"0123456789abcdef0123\""}});
  EXPECT_EQ(changed->status, 200);
  EXPECT_EQ(changed->body, first->body);
  EXPECT_NE(get("/style.css")->header("ETag"), etag) << "each file has its own validator";
}

// Every file the page loads (src= and href= in the HTML, imports between modules) is served, so a
// renamed file cannot leave the page broken.
TEST(WebAssets, EveryFileThePageRefersToIsServed) {
  std::set<std::string> referred;
  const std::regex html_reference(R"re((?:src|href)="([a-z_.]+\.[a-z]+)")re");
  const std::regex module_import(R"re(from '\./([a-z_]+\.mjs)')re");
  for (const WebAsset& asset : web_assets()) {
    const std::string body(asset.body);
    const std::regex& pattern = asset.path.ends_with(".html") ? html_reference : module_import;
    for (auto it = std::sregex_iterator(body.begin(), body.end(), pattern); it != std::sregex_iterator(); ++it) {
      referred.insert(std::string("/").append((*it)[1].str()));
    }
  }
  EXPECT_GE(referred.size(), 8u);
  for (const std::string& path : referred) {
    const auto response = get(path);
    EXPECT_EQ(response->status, 200) << path;
  }
}

}  // namespace
}  // namespace qwenrt::server
