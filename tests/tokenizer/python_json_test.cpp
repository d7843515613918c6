// python_json_dumps against what Python's json.dumps(value, ensure_ascii=False) prints (transformers'
// tojson filter); the expected strings were printed by CPython 3.11.
#include "tokenizer/python_json.h"

#include <gtest/gtest.h>

#include <limits>

namespace qwenrt::tokenizer {
namespace {

using nlohmann::ordered_json;

TEST(PythonJson, FloatsAsPythonRepr) {
  const std::pair<double, const char*> cases[] = {
      {1.0, "1.0"},
      {100.0, "100.0"},
      {-0.0, "-0.0"},
      {1e16, "1e+16"},
      {1.5e16, "1.5e+16"},
      {9999999999999998.0, "9999999999999998.0"},
      {1e22, "1e+22"},
      {1e-5, "1e-05"},
      {-2.5e-7, "-2.5e-07"},
      {0.0001, "0.0001"},
      {0.1 + 0.2, "0.30000000000000004"},
      {123456789012345.6, "123456789012345.6"},
      {12345678.9, "12345678.9"},
      {5e-324, "5e-324"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
  };
  for (const auto& [value, expected] : cases) EXPECT_EQ(python_json_dumps(ordered_json(value)), expected) << expected;
  EXPECT_EQ(python_json_dumps(ordered_json(std::numeric_limits<double>::infinity())), "Infinity");
  EXPECT_EQ(python_json_dumps(ordered_json(std::numeric_limits<double>::quiet_NaN())), "NaN");
}

TEST(PythonJson, ParsedNumbersKeepTheirKind) {
  EXPECT_EQ(python_json_dumps(ordered_json::parse("[1, -42, 1.0, 2.50, 1E3, 18446744073709551615]")),
            "[1, -42, 1.0, 2.5, 1000.0, 18446744073709551615]");
}

TEST(PythonJson, SeparatorsKeyOrderAndEscapes) {
  const auto value = ordered_json::parse(R"({"b": [1, {"x": null}], "a": "q\"\\\n\u0001\u007fé中🎉", "e": [], "o": {},
                                             "t": true, "f": false})");
  EXPECT_EQ(python_json_dumps(value),
            "{\"b\": [1, {\"x\": null}], \"a\": \"q\\\"\\\\\\n\\u0001\x7f\xc3\xa9\xe4\xb8\xad\xf0\x9f\x8e\x89\", "
            "\"e\": [], \"o\": {}, \"t\": true, \"f\": false}");
  EXPECT_EQ(python_json_dumps(ordered_json("\b\f\r\t\x1f")), R"("\b\f\r\t\u001f")");
}

}  // namespace
}  // namespace qwenrt::tokenizer
