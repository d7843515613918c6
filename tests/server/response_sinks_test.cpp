// How a finished choice that failed is answered, whole or streamed: the engine's failure (FinishReason
// kError) as a 500, a cancel the client did not ask for (shutdown) as a 503, each in OpenAI's error
// shape; the usage over several prompts' choices; and logprobs that name ids the tokenizer lacks.
#include <gtest/gtest.h>

#include "recording_responder.h"
#include "runtime/serving_test_support.h"
#include "server/chunk_stream.h"
#include "server/openai_responses.h"
#include "server/whole_response_sink.h"

namespace qwenrt::server {
namespace {

using testing::RecordingResponder;

runtime::RequestResult finished(runtime::FinishReason reason, std::size_t prompt, std::size_t cached,
                                std::size_t tokens, std::string error = {}) {
  runtime::RequestResult r;
  r.finish = reason;
  r.error = std::move(error);
  r.metrics.prompt_tokens = prompt;
  r.metrics.cached_prompt_tokens = cached;
  r.tokens.assign(tokens, 7);
  r.text = std::string(tokens, 'x');
  return r;
}

Json text_choice(std::size_t i, const runtime::RequestResult& r) { return {{"index", i}, {"text", r.text}}; }

TEST(WholeResponseSink, EngineFailureIs500AndShutdownCancelIs503) {
  auto responder = std::make_shared<RecordingResponder>();
  WholeResponseSink sink(responder, response_head("cmpl-1", "text_completion", 1, "m"), 1, text_choice);
  sink.on_finished({finished(runtime::FinishReason::kLength, 5, 0, 3),
                    finished(runtime::FinishReason::kError, 5, 0, 1, "the forward step failed: out of memory")});
  EXPECT_EQ(responder->status(), 500);
  const auto error = responder->json()["error"];
  EXPECT_EQ(error["type"], "server_error");
  EXPECT_EQ(error["message"], "generation failed: the forward step failed: out of memory");

  auto cancelled = std::make_shared<RecordingResponder>();
  WholeResponseSink other(cancelled, response_head("cmpl-2", "text_completion", 1, "m"), 1, text_choice);
  other.on_finished({finished(runtime::FinishReason::kCancelled, 5, 0, 1)});
  EXPECT_EQ(cancelled->status(), 503);
}

TEST(WholeResponseSink, UsageCountsEachPromptOnceAndEveryChoicesTokens) {
  auto responder = std::make_shared<RecordingResponder>();
  WholeResponseSink sink(responder, response_head("cmpl-3", "text_completion", 1, "m"), 2, text_choice);
  // Two prompts (10 and 4 tokens), two choices each; the second choice of each found its prompt cached.
  sink.on_finished({finished(runtime::FinishReason::kStop, 10, 0, 3), finished(runtime::FinishReason::kLength, 10, 10, 5),
                    finished(runtime::FinishReason::kStop, 4, 2, 1), finished(runtime::FinishReason::kStop, 4, 4, 2)});
  ASSERT_EQ(responder->status(), 200);
  const auto body = responder->json();
  EXPECT_EQ(body["choices"].size(), 4u);
  EXPECT_EQ(body["usage"], nlohmann::json::parse(R"({"prompt_tokens": 14, "completion_tokens": 11, "total_tokens": 25,
                                                     "prompt_tokens_details": {"cached_tokens": 2}})"));
}

TEST(ChunkStream, ErrorEventThenDone) {
  auto responder = std::make_shared<RecordingResponder>();
  ChunkStream stream(responder, response_head("chatcmpl-1", "chat.completion.chunk", 1, "m"), false);
  stream.send_choice({{"index", 0}, {"delta", {{"content", "Hi"}}}});
  stream.abort(ApiError(500, "generation failed: boom", "server_error"));
  ASSERT_TRUE(responder->wait_complete());
  const std::vector<std::string> events = responder->events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(events[0])["choices"][0]["delta"]["content"], "Hi");
  EXPECT_EQ(nlohmann::json::parse(events[1])["error"]["message"], "generation failed: boom");
  EXPECT_EQ(events[2], "[DONE]");
}

// A model's vocabulary is padded past the tokenizer's (151,680 logits for 151,669 tokens here), so a
// top-logprobs list can name an id with no token: it is listed with no text rather than failing.
TEST(ChatLogprobs, IdsPastTheTokenizerHaveNoText) {
  const std::unique_ptr<tokenizer::Tokenizer> tokenizer = runtime::serving_test::load_test_tokenizer();
  ASSERT_NE(tokenizer, nullptr) << "run scripts/make_testdata.sh first";
  const auto padded = static_cast<tokenizer::TokenId>(tokenizer->vocab_size() + 3);
  const tokenizer::TokenId hello = tokenizer->encode("Hello")[0];
  const std::vector<runtime::TokenLogprobs> logprobs = {{-0.5f, {{hello, -0.5f}, {padded, -1.5f}}}};
  const Json content = chat_logprobs_content(*tokenizer, std::vector<tokenizer::TokenId>{hello}, logprobs);
  ASSERT_EQ(content.size(), 1u);
  EXPECT_EQ(content[0]["token"], "Hello");
  EXPECT_EQ(content[0]["top_logprobs"][1]["token"], "");
  EXPECT_EQ(content[0]["top_logprobs"][1]["bytes"], Json::array());
  std::size_t offset = 0;
  const Json legacy = completion_logprobs(*tokenizer, std::vector<tokenizer::TokenId>{padded}, logprobs, offset);
  EXPECT_EQ(legacy["tokens"][0], "");
  EXPECT_EQ(offset, 0u);
}

}  // namespace
}  // namespace qwenrt::server
