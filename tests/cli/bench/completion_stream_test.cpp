// Timing a streamed completion from the bytes an OpenAI-compatible server sends (vLLM's and OpenAI's
// chunk shapes), with read times given here, so every figure is exact.
#include "cli/bench/completion_stream.h"

#include <gtest/gtest.h>

namespace qwenrt::bench {
namespace {

using Clock = CompletionStream::Clock;

Clock::time_point at_ms(double ms) {
  return Clock::time_point() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(ms));
}

std::string text_chunk(const std::string& text) {
  return "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"" + text +
         "\",\"finish_reason\":null}]}\n\n";
}

const HttpResponseHead kOk{200, "text/event-stream"};

TEST(CompletionStream, TimesTextChunksAndTakesTokensFromUsage) {
  CompletionStream stream(at_ms(0), 12, false);
  stream.feed(kOk, "data: {\"choices\":[{\"index\":0,\"text\":\"\"}]}\n\n", at_ms(5));  // no text: not a token
  stream.feed(kOk, text_chunk("Hello"), at_ms(40));
  stream.feed(kOk, text_chunk(" wor"), at_ms(50));
  // One read may carry several events (and end inside another): they share its time.
  stream.feed(kOk, text_chunk("ld") + text_chunk("!") + "data: {\"choices\":[{\"ind", at_ms(75));
  stream.feed(kOk, "ex\":0,\"text\":\"\",\"finish_reason\":\"length\"}]}\n\n", at_ms(76));
  stream.feed(kOk, "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5,\"total_tokens\":17}}\n\n",
              at_ms(77));
  stream.feed(kOk, "data: [DONE]\n\n", at_ms(80));
  const RequestRecord r = stream.finish(kOk);
  ASSERT_TRUE(r.success) << r.error;
  EXPECT_EQ(r.prompt_tokens, 12u);
  EXPECT_EQ(r.output_tokens, 5u) << "the server's count, not the number of chunks";
  EXPECT_NEAR(r.ttft, 0.040, 1e-9);
  ASSERT_EQ(r.itl.size(), 3u);
  EXPECT_NEAR(r.itl[0], 0.010, 1e-9);
  EXPECT_NEAR(r.itl[1], 0.025, 1e-9);
  EXPECT_NEAR(r.itl[2], 0.0, 1e-9);
  EXPECT_NEAR(r.e2e, 0.080, 1e-9);
}

TEST(CompletionStream, ChatChunksCarryDeltaContentAndChunksCountWithoutUsage) {
  CompletionStream stream(at_ms(10), 3, true);
  stream.feed(kOk, "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n", at_ms(20));
  stream.feed(kOk, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n", at_ms(30));
  stream.feed(kOk, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" there\"}}]}\n\n", at_ms(45));
  stream.feed(kOk, "data: [DONE]\n\n", at_ms(50));
  const RequestRecord r = stream.finish(kOk);
  ASSERT_TRUE(r.success) << r.error;
  EXPECT_EQ(r.output_tokens, 2u);
  EXPECT_NEAR(r.ttft, 0.020, 1e-9);
  EXPECT_NEAR(r.e2e, 0.040, 1e-9);
}

TEST(CompletionStream, FailuresSayWhy) {
  {
    CompletionStream stream(at_ms(0), 1, false);
    const HttpResponseHead bad{400, "application/json"};
    stream.feed(bad, "{\"error\":{\"message\":\"max_tokens is too large\",\"type\":\"invalid_request_error\"}}", at_ms(1));
    EXPECT_EQ(stream.finish(bad).error, "HTTP 400: max_tokens is too large");
  }
  {
    CompletionStream stream(at_ms(0), 1, false);
    const HttpResponseHead unavailable{503, "text/plain"};
    stream.feed(unavailable, "overloaded", at_ms(1));
    EXPECT_EQ(stream.finish(unavailable).error, "HTTP 503: overloaded");
  }
  {
    CompletionStream stream(at_ms(0), 1, false);
    stream.feed(kOk, text_chunk("a") + "data: {\"error\":{\"message\":\"engine failed\"}}\n\n", at_ms(1));
    EXPECT_EQ(stream.finish(kOk).error, "error event: engine failed");
  }
  {
    CompletionStream stream(at_ms(0), 1, false);
    stream.feed(kOk, text_chunk("a"), at_ms(1));
    const RequestRecord r = stream.finish(kOk);
    EXPECT_FALSE(r.success);
    EXPECT_EQ(r.error, "the stream ended without data: [DONE]");
  }
  {
    CompletionStream stream(at_ms(0), 1, false);
    stream.feed(kOk, "data: not json\n\n", at_ms(1));
    EXPECT_EQ(stream.finish(kOk).error, "an event that is not a JSON object: not json");
  }
}

}  // namespace
}  // namespace qwenrt::bench
