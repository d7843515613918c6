// Server-sent events split across reads at every possible byte, with the line ends and fields the
// event-stream format allows.
#include "cli/bench/sse_parser.h"

#include <gtest/gtest.h>

namespace qwenrt::bench {
namespace {

std::vector<std::string> parse_in_pieces(std::string_view stream, std::size_t piece) {
  SseParser parser;
  std::vector<std::string> events;
  for (std::size_t at = 0; at < stream.size(); at += piece) {
    for (std::string& e : parser.feed(stream.substr(at, piece))) events.push_back(std::move(e));
  }
  return events;
}

TEST(SseParser, EventsComeWholeHoweverTheStreamIsCut) {
  const std::string stream =
      "data: {\"choices\":[{\"text\":\"Hel\"}]}\n\n"
      ": a comment\n"
      "event: message\r\n"
      "data: {\"choices\":[{\"text\":\"lo\"}]}\r\n\r\n"
      "id: 7\rdata:no space\r\r"
      "data: first line\ndata: second line\n\n"
      "data\n\n"
      "data: [DONE]\n\n"
      "data: never ended";
  const std::vector<std::string> expected = {
      "{\"choices\":[{\"text\":\"Hel\"}]}", "{\"choices\":[{\"text\":\"lo\"}]}", "no space", "first line\nsecond line", "",
      "[DONE]"};
  for (std::size_t piece = 1; piece <= stream.size(); ++piece) {
    EXPECT_EQ(parse_in_pieces(stream, piece), expected) << "pieces of " << piece << " bytes";
  }
}

TEST(SseParser, ABlankLineWithoutDataIsNoEvent) {
  SseParser parser;
  EXPECT_TRUE(parser.feed("\n\n: keep-alive\n\nretry: 10\n\n").empty());
  EXPECT_EQ(parser.feed("data: x\n"), std::vector<std::string>{});
  EXPECT_EQ(parser.feed("\n"), std::vector<std::string>{"x"});
}

}  // namespace
}  // namespace qwenrt::bench
