// JSON text exactly as transformers' `tojson` template filter writes it: Python's
// json.dumps(value, ensure_ascii=False), so ", " between items, ": " after keys, keys in their given
// order, non-ASCII characters as they are, and floats as Python's repr writes them (1.0, 1e+16, 1e-05).
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace qwenrt::tokenizer {

std::string python_json_dumps(const nlohmann::ordered_json& value);
void append_python_json(std::string& out, const nlohmann::ordered_json& value);

}  // namespace qwenrt::tokenizer
