#include "server/api_error.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/http_exchange.h"

namespace qwenrt::server {
namespace {

TEST(ApiError, BodyHasOpenAisShape) {
  const auto body = nlohmann::json::parse(api_error_body(ApiError(400, "temperature: must be in [0, 2], got 3",
                                                                  "invalid_request_error", "temperature")));
  EXPECT_EQ(body["error"]["message"], "temperature: must be in [0, 2], got 3");
  EXPECT_EQ(body["error"]["type"], "invalid_request_error");
  EXPECT_EQ(body["error"]["param"], "temperature");
  EXPECT_EQ(body["error"]["code"], 400);
}

TEST(ApiError, MissingParamIsNullAndInvalidUtf8IsReplaced) {
  const auto body = nlohmann::json::parse(api_error_body(ApiError(404, "model 'x\xff' not found", "not_found_error",
                                                                  std::nullopt, "model_not_found")));
  EXPECT_TRUE(body["error"]["param"].is_null());
  EXPECT_EQ(body["error"]["code"], "model_not_found");
  EXPECT_EQ(body["error"]["message"], "model 'x\xEF\xBF\xBD' not found");
}

TEST(HttpRequest, HeaderLookupIgnoresCase) {
  HttpRequest r;
  r.headers = {{"Content-Type", "application/json"}, {"authorization", "Bearer k"}, {"Authorization", "second"}};
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("AUTHORIZATION"), "Bearer k");
  EXPECT_FALSE(r.header("Accept").has_value());
}

}  // namespace
}  // namespace qwenrt::server
