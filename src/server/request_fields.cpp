#include "server/request_fields.h"

#include <cmath>

namespace qwenrt::server {
namespace {

[[noreturn]] void fail_type(const char* key, std::string_view expected, const Json& got) {
  fail_param(key, str_cat("expected ", expected, ", got ", got.type_name()));
}

}  // namespace

Json parse_json_body(std::string_view body) {
  Json parsed;
  try {
    parsed = Json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    throw ApiError(400, str_cat("the request body is not valid JSON: ", e.what()));
  }
  if (!parsed.is_object()) throw ApiError(400, str_cat("the request body must be a JSON object, got ", parsed.type_name()));
  return parsed;
}

void fail_param(const std::string& param, std::string_view problem) {
  throw ApiError(400, str_cat(param, ": ", problem), "invalid_request_error", param);
}

const Json* find_field(const Json& body, const char* key) {
  const auto it = body.find(key);
  return it == body.end() || it->is_null() ? nullptr : &*it;
}

std::optional<bool> bool_field(const Json& body, const char* key) {
  const Json* value = find_field(body, key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) fail_type(key, "a boolean", *value);
  return value->get<bool>();
}

std::optional<double> number_field(const Json& body, const char* key) {
  const Json* value = find_field(body, key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_number()) fail_type(key, "a number", *value);
  return value->get<double>();
}

std::optional<std::int64_t> integer_field(const Json& body, const char* key) {
  const Json* value = find_field(body, key);
  if (value == nullptr) return std::nullopt;
  if (value->is_number_integer()) {
    if (value->is_number_unsigned() && value->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
      fail_param(key, str_cat("must be at most ", INT64_MAX));
    }
    return value->get<std::int64_t>();
  }
  if (value->is_number_float()) {
    const double d = value->get<double>();
    if (d == std::floor(d) && std::abs(d) < 9.0e18) return static_cast<std::int64_t>(d);
  }
  fail_type(key, "an integer", *value);
}

std::optional<std::string> string_field(const Json& body, const char* key) {
  const Json* value = find_field(body, key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) fail_type(key, "a string", *value);
  return value->get<std::string>();
}

std::optional<std::int64_t> integer_field_in(const Json& body, const char* key, std::int64_t lo, std::int64_t hi) {
  const std::optional<std::int64_t> value = integer_field(body, key);
  if (value && (*value < lo || *value > hi)) fail_param(key, str_cat("must be in [", lo, ", ", hi, "], got ", *value));
  return value;
}

ApiError invalid_request(const Error& error, std::string_view runtime_name, std::string_view api_name) {
  const std::string message = error.what();
  const std::size_t colon = message.find(':');
  if (colon == std::string::npos) return ApiError(400, message);
  std::string param = message.substr(0, colon);
  param = param.substr(0, param.find('['));  // stop[1] -> stop
  if (!runtime_name.empty() && param == runtime_name) {
    return ApiError(400, str_cat(api_name, message.substr(colon)), "invalid_request_error", std::string(api_name));
  }
  return ApiError(400, message, "invalid_request_error", param);
}

}  // namespace qwenrt::server
