#include "server/http_router.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace qwenrt::server {
namespace {

std::vector<HttpRoute> routes() {
  const HttpHandler noop = [](const HttpRequest&, std::shared_ptr<HttpResponder>) {};
  return {{"GET", "/health", noop, true}, {"POST", "/v1/chat/completions", noop}, {"GET", "/v1/models", noop}};
}

HttpRequest request(std::string method, std::string path, HttpHeaders headers = {}) {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.headers = std::move(headers);
  return r;
}

std::string header(const HttpResponse& r, std::string_view name) {
  for (const auto& [key, value] : r.headers) {
    if (key == name) return value;
  }
  return "(none)";
}

TEST(HttpRouter, MatchesTheExactPathAndMethod) {
  const HttpRouter router(routes(), {});
  EXPECT_NE(router.route(request("POST", "/v1/chat/completions")).handler, nullptr);
  const auto unknown = router.route(request("POST", "/v1/chat/completions/"));
  EXPECT_EQ(unknown.handler, nullptr);
  EXPECT_EQ(unknown.response.status, 404);
  const auto body = nlohmann::json::parse(unknown.response.body);
  EXPECT_EQ(body["error"]["message"], "Invalid URL (POST /v1/chat/completions/)");
  EXPECT_EQ(body["error"]["type"], "invalid_request_error");
}

TEST(HttpRouter, WrongMethodIs405WithTheAllowedOnes) {
  const HttpRouter router(routes(), {});
  const auto d = router.route(request("GET", "/v1/chat/completions"));
  ASSERT_EQ(d.handler, nullptr);
  EXPECT_EQ(d.response.status, 405);
  EXPECT_EQ(header(d.response, "Allow"), "POST, OPTIONS");
  EXPECT_EQ(nlohmann::json::parse(d.response.body)["error"]["code"], 405);
}

TEST(HttpRouter, ApiKeyGuardsAllButPublicRoutes) {
  const HttpRouter router(routes(), {"sk-secret", {"*"}});
  const auto missing = router.route(request("GET", "/v1/models"));
  EXPECT_EQ(missing.response.status, 401);
  EXPECT_EQ(nlohmann::json::parse(missing.response.body)["error"]["code"], "invalid_api_key");
  EXPECT_EQ(router.route(request("GET", "/v1/models", {{"Authorization", "Bearer sk-wrong"}})).response.status, 401);
  EXPECT_EQ(router.route(request("GET", "/v1/models", {{"Authorization", "sk-secret"}})).response.status, 401);
  EXPECT_NE(router.route(request("GET", "/v1/models", {{"authorization", "bearer  sk-secret "}})).handler, nullptr);
  EXPECT_NE(router.route(request("GET", "/health")).handler, nullptr);
}

TEST(HttpRouter, SameSecretComparesWholeStrings) {
  EXPECT_TRUE(same_secret("abc", "abc"));
  EXPECT_FALSE(same_secret("abd", "abc"));
  EXPECT_FALSE(same_secret("ab", "abc"));
  EXPECT_FALSE(same_secret("abcd", "abc"));
  EXPECT_FALSE(same_secret("", "abc"));
  EXPECT_TRUE(same_secret("", ""));
}

TEST(HttpRouter, PreflightIsAnsweredWithoutTheKey) {
  const HttpRouter router(routes(), {"sk-secret", {"*"}});
  const auto d = router.route(request("OPTIONS", "/v1/chat/completions",
                                      {{"Origin", "http://app.example"},
                                       {"Access-Control-Request-Method", "POST"},
                                       {"Access-Control-Request-Headers", "authorization, content-type"}}));
  ASSERT_EQ(d.handler, nullptr);
  EXPECT_EQ(d.response.status, 204);
  EXPECT_EQ(header(d.response, "Access-Control-Allow-Methods"), "POST, OPTIONS");
  EXPECT_EQ(header(d.response, "Access-Control-Allow-Headers"), "authorization, content-type");
  const auto plain = router.route(request("OPTIONS", "/v1/models"));
  EXPECT_EQ(plain.response.status, 204);
  EXPECT_EQ(header(plain.response, "Allow"), "GET, OPTIONS");
}

TEST(HttpRouter, CorsHeadersFollowTheAllowedOrigins) {
  const HttpRouter any(routes(), {});
  const HttpHeaders star = {{"Access-Control-Allow-Origin", "*"}};
  EXPECT_EQ(any.cors_headers(request("GET", "/v1/models", {{"Origin", "http://a.example"}})), star);
  EXPECT_TRUE(any.cors_headers(request("GET", "/v1/models")).empty());

  const HttpRouter listed(routes(), {"", {"http://a.example", "https://b.example"}});
  const HttpHeaders echoed = {{"Access-Control-Allow-Origin", "https://b.example"}, {"Vary", "Origin"}};
  EXPECT_EQ(listed.cors_headers(request("GET", "/v1/models", {{"Origin", "https://b.example"}})), echoed);
  EXPECT_TRUE(listed.cors_headers(request("GET", "/v1/models", {{"Origin", "http://evil.example"}})).empty());
  const auto refused = listed.route(request("OPTIONS", "/v1/models",
                                            {{"Origin", "http://evil.example"}, {"Access-Control-Request-Method", "GET"}}));
  EXPECT_EQ(refused.response.status, 403);
}

}  // namespace
}  // namespace qwenrt::server
