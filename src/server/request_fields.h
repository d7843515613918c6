// Reading an API request's JSON body: typed access to its fields, each fault an ApiError 400 whose
// param names the field, as OpenAI answers. A field that is absent or null reads as absent, and
// fields the API does not know are left alone (OpenAI ignores them too).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "server/api_error.h"

namespace qwenrt::server {

using Json = nlohmann::ordered_json;

// The body as a JSON object; 400 when it is not valid JSON or not an object.
Json parse_json_body(std::string_view body);

// 400 invalid_request_error with param and the message "param: problem".
[[noreturn]] void fail_param(const std::string& param, std::string_view problem);

// The field, or null when it is absent or JSON null.
const Json* find_field(const Json& body, const char* key);

std::optional<bool> bool_field(const Json& body, const char* key);
std::optional<double> number_field(const Json& body, const char* key);
// A whole number (3.0 counts: JSON does not tell them apart).
std::optional<std::int64_t> integer_field(const Json& body, const char* key);
std::optional<std::string> string_field(const Json& body, const char* key);
// A whole number in [lo, hi].
std::optional<std::int64_t> integer_field_in(const Json& body, const char* key, std::int64_t lo, std::int64_t hi);

// A qwenrt::Error from the runtime's own checks ("top_p: must be in (0, 1], got 2") as a 400 whose
// param is the field it names, renamed where the API spells it differently (runtime_name -> api_name).
ApiError invalid_request(const Error& error, std::string_view runtime_name = {}, std::string_view api_name = {});

}  // namespace qwenrt::server
