// Typed reads of the fields of a JSON object from a checkpoint's JSON files (config.json,
// generation_config.json, a safetensors header or index), each failure a one-line Error that names
// the file and the key path: "/m/config.json: rope_parameters.rope_theta: expected a number, got string".
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qwenrt::model {

// Parses text as JSON; throws Error naming source when it is not valid JSON.
nlohmann::json parse_json(std::string_view text, const std::string& source);

// Short name of a JSON value's type for messages: "string", "array", "null", ...
std::string_view json_type_name(const nlohmann::json& value);

// A view of one JSON object. A key whose value is null counts as absent, because Hugging Face
// configs write null for "not set" (sliding_window, rope_scaling, ...). Refers to the JSON value,
// which must outlive it.
class JsonFields {
 public:
  // Throws Error when value is not an object. path is the key path of value ("" for the root).
  JsonFields(const nlohmann::json& value, std::string source, std::string path = "");

  bool has(std::string_view key) const;
  // The raw value of a present key, or nullptr.
  const nlohmann::json* find(std::string_view key) const;

  std::int64_t get_int(std::string_view key) const;
  std::optional<std::int64_t> opt_int(std::string_view key) const;
  // Integers are accepted where a number is expected (configs write "rope_theta": 10000).
  double get_number(std::string_view key) const;
  std::optional<double> opt_number(std::string_view key) const;
  bool get_bool(std::string_view key) const;
  std::optional<bool> opt_bool(std::string_view key) const;
  std::string get_string(std::string_view key) const;
  std::optional<std::string> opt_string(std::string_view key) const;
  JsonFields get_object(std::string_view key) const;
  std::optional<JsonFields> opt_object(std::string_view key) const;

  // "source: path.key" for messages about a key's value.
  std::string where(std::string_view key) const;
  // Throws Error "source: path.key: what".
  [[noreturn]] void fail_at(std::string_view key, std::string_view what) const;
  const std::string& source() const { return source_; }
  const nlohmann::json& json() const { return *object_; }

 private:
  const nlohmann::json& require(std::string_view key) const;
  [[noreturn]] void fail_type(std::string_view key, std::string_view expected,
                              const nlohmann::json& got) const;

  const nlohmann::json* object_;
  std::string source_;
  std::string path_;
};

// A token id field: an integer in [0, 2^31). Absent or null gives nullopt.
std::optional<std::int32_t> read_token_id(const JsonFields& fields, std::string_view key);
// A token id or a list of them, as eos_token_id may be written; absent or null gives an empty list.
std::vector<std::int32_t> read_token_ids(const JsonFields& fields, std::string_view key);

}  // namespace qwenrt::model
