#include "model/json_fields.h"

#include <limits>
#include <utility>

#include "core/error.h"

namespace qwenrt::model {

nlohmann::json parse_json(std::string_view text, const std::string& source) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    // nlohmann prefixes its messages with "[json.exception.parse_error.101] ", noise to a user.
    std::string_view message = e.what();
    if (const auto end = message.find("] "); message.starts_with("[json.") && end != message.npos) {
      message.remove_prefix(end + 2);
    }
    fail(source, ": invalid JSON (", message, ")");
  }
}

std::string_view json_type_name(const nlohmann::json& value) {
  if (value.is_number_integer()) return "integer";
  if (value.is_number_float()) return "number";
  return value.type_name();
}

JsonFields::JsonFields(const nlohmann::json& value, std::string source, std::string path)
    : object_(&value), source_(std::move(source)), path_(std::move(path)) {
  if (!value.is_object()) {
    if (path_.empty()) fail(source_, ": expected a JSON object, got ", json_type_name(value));
    fail(source_, ": ", path_, ": expected an object, got ", json_type_name(value));
  }
}

const nlohmann::json* JsonFields::find(std::string_view key) const {
  const auto it = object_->find(key);
  if (it == object_->end() || it->is_null()) return nullptr;
  return &*it;
}

bool JsonFields::has(std::string_view key) const { return find(key) != nullptr; }

std::string JsonFields::where(std::string_view key) const {
  return path_.empty() ? str_cat(source_, ": ", key) : str_cat(source_, ": ", path_, ".", key);
}

void JsonFields::fail_at(std::string_view key, std::string_view what) const { fail(where(key), ": ", what); }

void JsonFields::fail_type(std::string_view key, std::string_view expected, const nlohmann::json& got) const {
  fail(where(key), ": expected ", expected, ", got ", json_type_name(got));
}

const nlohmann::json& JsonFields::require(std::string_view key) const {
  const nlohmann::json* value = find(key);
  if (value == nullptr) {
    if (path_.empty()) fail(source_, ": missing key \"", key, "\"");
    fail(source_, ": missing key \"", path_, ".", key, "\"");
  }
  return *value;
}

std::int64_t JsonFields::get_int(std::string_view key) const {
  const nlohmann::json& value = require(key);
  if (!value.is_number_integer()) fail_type(key, "an integer", value);
  if (value.is_number_unsigned() &&
      value.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    fail_at(key, "integer out of range");
  }
  return value.get<std::int64_t>();
}

std::optional<std::int64_t> JsonFields::opt_int(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  return get_int(key);
}

double JsonFields::get_number(std::string_view key) const {
  const nlohmann::json& value = require(key);
  if (!value.is_number()) fail_type(key, "a number", value);
  return value.get<double>();
}

std::optional<double> JsonFields::opt_number(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  return get_number(key);
}

bool JsonFields::get_bool(std::string_view key) const {
  const nlohmann::json& value = require(key);
  if (!value.is_boolean()) fail_type(key, "true or false", value);
  return value.get<bool>();
}

std::optional<bool> JsonFields::opt_bool(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  return get_bool(key);
}

std::string JsonFields::get_string(std::string_view key) const {
  const nlohmann::json& value = require(key);
  if (!value.is_string()) fail_type(key, "a string", value);
  return value.get<std::string>();
}

std::optional<std::string> JsonFields::opt_string(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  return get_string(key);
}

JsonFields JsonFields::get_object(std::string_view key) const {
  const nlohmann::json& value = require(key);
  if (!value.is_object()) fail_type(key, "an object", value);
  return JsonFields(value, source_, path_.empty() ? std::string(key) : str_cat(path_, ".", key));
}

std::optional<JsonFields> JsonFields::opt_object(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  return get_object(key);
}

namespace {

std::int32_t to_token_id(const JsonFields& fields, std::string_view key, const nlohmann::json& value) {
  if (!value.is_number_integer()) {
    fields.fail_at(key, str_cat("expected a token id (integer), got ", json_type_name(value)));
  }
  if (!value.is_number_unsigned() && value.get<std::int64_t>() < 0) {
    fields.fail_at(key, str_cat("token id ", value.get<std::int64_t>(), " is negative"));
  }
  if (value.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())) {
    fields.fail_at(key, str_cat("token id ", value.get<std::uint64_t>(), " is out of range"));
  }
  return static_cast<std::int32_t>(value.get<std::uint64_t>());
}

}  // namespace

std::optional<std::int32_t> read_token_id(const JsonFields& fields, std::string_view key) {
  const nlohmann::json* value = fields.find(key);
  if (value == nullptr) return std::nullopt;
  return to_token_id(fields, key, *value);
}

std::vector<std::int32_t> read_token_ids(const JsonFields& fields, std::string_view key) {
  const nlohmann::json* value = fields.find(key);
  if (value == nullptr) return {};
  if (!value->is_array()) return {to_token_id(fields, key, *value)};
  std::vector<std::int32_t> ids;
  for (const nlohmann::json& item : *value) ids.push_back(to_token_id(fields, key, item));
  return ids;
}

}  // namespace qwenrt::model
