// JsonObjectSyntax against JSON texts: it accepts exactly the texts that are (prefixes of) one JSON
// object, as nlohmann's strict parser judges them, and its count of bytes to completion really
// completes them.
#include "runtime/json_object_syntax.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>

namespace qwenrt::runtime {
namespace {

// The length of the longest prefix the syntax takes.
std::size_t accepted(const std::string& text, JsonObjectSyntax* end = nullptr) {
  JsonObjectSyntax syntax;
  std::size_t n = 0;
  for (; n < text.size(); ++n) {
    JsonObjectSyntax next = syntax;
    if (!next.advance(static_cast<unsigned char>(text[n]))) break;
    syntax = next;
  }
  if (end) *end = syntax;
  return n;
}

TEST(JsonObjectSyntax, AcceptsObjectsAndCompletesThem) {
  const char* valid[] = {
      "{}", " {\"a\": 1}", "{\"a\":[1,2.5,-3e+7,0,0.0,1E-2,true,false,null,\"x\"],\"b\":{\"c\":{}}}",
      "{\"esc\": \"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"}", "{\"utf8\": \"h\xC3\xA9llo \xE4\xB8\xAD \xF0\x9F\x98\x80\"}",
      "{\n  \"a\" :\t[ ] ,\r\n \"b\" : [ [ ] , { } ]\n}"};
  for (const char* text : valid) {
    JsonObjectSyntax end;
    EXPECT_EQ(accepted(text, &end), std::string(text).size()) << text;
    EXPECT_TRUE(end.complete()) << text;
    EXPECT_EQ(end.bytes_to_complete(), 0u);
    EXPECT_TRUE(nlohmann::json::accept(text)) << text;
  }
}

TEST(JsonObjectSyntax, RefusesWhereAStrictParserWould) {
  const std::pair<const char*, std::size_t> invalid[] = {
      {"[1]", 0}, {"\"s\"", 0}, {"1", 0}, {"{1:2}", 1}, {"{\"a\" 1}", 5}, {"{\"a\":01}", 6}, {"{\"a\":1.}", 7},
      {"{\"a\":-}", 6}, {"{\"a\":1e}", 7}, {"{\"a\":tru}", 8}, {"{\"a\":1,}", 7}, {"{\"a\":[1,]}", 8}, {"{\"a\":1]", 6},
      {"{\"a\":\"\x01\"}", 6}, {"{\"a\":\"\\x\"}", 7}, {"{\"a\":\"\\u12G\"}", 10}, {"{\"a\":\"\xC0\xAF\"}", 6},
      {"{\"a\":\"\xED\xA0\x80\"}", 7}, {"{\"a\":\"\xE0\x80\x80\"}", 7}, {"{\"a\":\"\xF4\x90\x80\x80\"}", 7},
      {"{}x", 2}, {"{\"a\":1}}", 7}};
  for (const auto& [text, prefix] : invalid) {
    EXPECT_EQ(accepted(text), prefix) << text;
    EXPECT_FALSE(nlohmann::json::accept(text) && nlohmann::json::parse(text).is_object()) << text;
  }
}

TEST(JsonObjectSyntax, NothingFollowsTheObjectNotEvenWhitespace) {
  JsonObjectSyntax syntax;
  ASSERT_EQ(accepted("{}", &syntax), 2u);
  EXPECT_FALSE(syntax.advance(' '));
}

TEST(JsonObjectSyntax, NestingDeeperThanTheLimitIsRefused) {
  std::string deep = "{\"a\":";
  for (std::size_t i = 1; i < JsonObjectSyntax::kMaxDepth; ++i) deep += "[";
  EXPECT_EQ(accepted(deep + "["), deep.size());
}

// From any prefix the syntax accepts, the cheapest completion (its count of bytes) leads to a text
// that parses: closing strings, escapes, numbers, literals, keys and containers.
TEST(JsonObjectSyntax, BytesToCompleteIsEnoughFromEveryPrefix) {
  const std::string text =
      "{\"k\xC3\xA9y\": [1, -2.5e+3, \"s\\u00e9\\n\", true, {\"n\": null, \"f\": false}], \"o\": {\"p\": [[], {}]}}";
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    JsonObjectSyntax syntax;
    ASSERT_EQ(accepted(text.substr(0, cut), &syntax), cut);
    // Greedy search for a completion of exactly bytes_to_complete() bytes: each step must lower it by one.
    std::string completion;
    for (std::size_t left = syntax.bytes_to_complete(); left > 0; --left) {
      bool stepped = false;
      for (std::string c : {"\"", "0", "}", "]", ":", "\x80", "\xBF", "\xA9", "r", "u", "e", "l", "s", "a", "{", "1", "f"}) {
        JsonObjectSyntax next = syntax;
        if (next.advance(static_cast<unsigned char>(c[0])) && next.bytes_to_complete() == left - 1) {
          syntax = next;
          completion += c;
          stepped = true;
          break;
        }
      }
      ASSERT_TRUE(stepped) << "stuck after " << text.substr(0, cut) << completion;
    }
    EXPECT_TRUE(syntax.complete()) << text.substr(0, cut) << completion;
    EXPECT_TRUE(nlohmann::json::accept(text.substr(0, cut) + completion)) << text.substr(0, cut) << completion;
  }
}

}  // namespace
}  // namespace qwenrt::runtime
