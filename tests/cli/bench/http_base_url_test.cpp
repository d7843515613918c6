// The serving benchmark's --base-url: http://HOST[:PORT] and nothing else.
#include <gtest/gtest.h>

#include "bench_test_support.h"
#include "cli/bench/http_stream_client.h"

namespace qwenrt::bench {
namespace {

TEST(HttpBaseUrl, TakesHostAndPort) {
  const HttpServer a = HttpServer::from_base_url("http://127.0.0.1:8000");
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, "8000");
  EXPECT_EQ(a.url(), "http://127.0.0.1:8000");
  const HttpServer b = HttpServer::from_base_url("http://localhost/");
  EXPECT_EQ(b.host, "localhost");
  EXPECT_EQ(b.port, "80");
  const HttpServer c = HttpServer::from_base_url("http://[::1]:9000");
  EXPECT_EQ(c.host, "::1");
  EXPECT_EQ(c.port, "9000");
  EXPECT_EQ(c.url(), "http://[::1]:9000");
}

TEST(HttpBaseUrl, RefusesWhatItCannotServe) {
  for (const char* url : {"https://example.com", "127.0.0.1:8000", "http://", "http://host:", "http://host:80a",
                          "http://host:8000/v1"}) {
    EXPECT_TRUE(testing::throws_error_with([&] { HttpServer::from_base_url(url); }, "--base-url")) << url;
  }
  EXPECT_TRUE(testing::throws_error_with([] { http_fetch(HttpServer::from_base_url("http://127.0.0.1:1"), "GET", "/v1/models"); },
                                         "http://127.0.0.1:1/v1/models: Connection refused"));
}

}  // namespace
}  // namespace qwenrt::bench
