// The OpenAI API end to end over a real engine (api_test_server.h): the shapes of chat and legacy
// completions, whole and streamed, n choices, logprobs, stops, usage, the utility routes, and the
// refusals with OpenAI's error body and status.
#include <gtest/gtest.h>

#include <set>

#include "api_test_server.h"

namespace qwenrt::server::testing {
namespace {

using nlohmann::json;

std::string chat_body(json extra = json::object()) {
  json body = {{"model", kModelName}, {"messages", {{{"role", "user"}, {"content", "Hello, who are you?"}}}},
               {"max_tokens", 6}, {"temperature", 0}};
  body.update(extra);
  return body.dump();
}

std::string completion_body(json extra = json::object()) {
  json body = {{"model", kModelName}, {"prompt", "The capital of France is"}, {"max_tokens", 6}, {"temperature", 0}};
  body.update(extra);
  return body.dump();
}

class OpenAiApiTest : public ::testing::Test {
 protected:
  ApiTestServer server_;
};

TEST_F(OpenAiApiTest, ChatCompletionHasOpenAisShapeAndUsage) {
  const auto r = server_.call("POST", "/v1/chat/completions", chat_body());
  ASSERT_EQ(r->status(), 200) << r->body();
  EXPECT_EQ(r->content_type(), "application/json");
  const json body = r->json();
  EXPECT_EQ(body["object"], "chat.completion");
  EXPECT_EQ(body["model"], kModelName);
  EXPECT_EQ(body["id"].get<std::string>().rfind("chatcmpl-", 0), 0u);
  EXPECT_TRUE(body["created"].is_number_integer());
  ASSERT_EQ(body["choices"].size(), 1u);
  const json& choice = body["choices"][0];
  EXPECT_EQ(choice["index"], 0);
  EXPECT_EQ(choice["message"]["role"], "assistant");
  EXPECT_TRUE(choice["message"]["content"].is_string());
  EXPECT_TRUE(choice["logprobs"].is_null());
  EXPECT_EQ(choice["finish_reason"], "length");  // random weights never pick <|im_end|> greedily here
  // The prompt is what /tokenize renders for the same messages.
  const json tokenized =
      server_.call("POST", "/tokenize", json{{"messages", {{{"role", "user"}, {"content", "Hello, who are you?"}}}}}.dump())
          ->json();
  EXPECT_EQ(body["usage"]["prompt_tokens"], tokenized["count"]);
  EXPECT_EQ(body["usage"]["completion_tokens"], 6);
  EXPECT_EQ(body["usage"]["total_tokens"], tokenized["count"].get<int>() + 6);
  EXPECT_TRUE(body["usage"]["prompt_tokens_details"]["cached_tokens"].is_number_integer());
}

TEST_F(OpenAiApiTest, ChatStreamSendsRoleThenContentThenFinishThenUsageAndDone) {
  const std::string whole =
      server_.call("POST", "/v1/chat/completions", chat_body())->json()["choices"][0]["message"]["content"];
  const auto r = server_.call("POST", "/v1/chat/completions",
                              chat_body({{"stream", true}, {"stream_options", {{"include_usage", true}}}}));
  ASSERT_TRUE(r->streaming());
  const std::vector<json> chunks = stream_chunks(*r);
  ASSERT_GE(chunks.size(), 3u);
  const std::string id = chunks[0]["id"];
  for (const json& c : chunks) {
    EXPECT_EQ(c["object"], "chat.completion.chunk");
    EXPECT_EQ(c["id"], id);
    EXPECT_EQ(c["model"], kModelName);
    EXPECT_TRUE(c.contains("usage"));
  }
  EXPECT_EQ(chunks[0]["choices"][0]["delta"]["role"], "assistant");
  std::string streamed;
  for (std::size_t i = 1; i + 2 < chunks.size(); ++i) {
    EXPECT_TRUE(chunks[i]["choices"][0]["finish_reason"].is_null());
    EXPECT_TRUE(chunks[i]["usage"].is_null());
    streamed += chunks[i]["choices"][0]["delta"].value("content", "");
  }
  EXPECT_EQ(streamed, whole);
  const json& last_choice = chunks[chunks.size() - 2]["choices"][0];
  EXPECT_EQ(last_choice["finish_reason"], "length");
  EXPECT_EQ(last_choice["delta"], json::object());
  const json& usage_chunk = chunks.back();
  EXPECT_EQ(usage_chunk["choices"], json::array());
  EXPECT_EQ(usage_chunk["usage"]["completion_tokens"], 6);
}

TEST_F(OpenAiApiTest, NChoicesAreSeededPerChoiceAndUsageSumsThem) {
  const std::string body = chat_body({{"n", 3}, {"temperature", 1.0}, {"seed", 7}, {"max_tokens", 5}});
  const json a = server_.call("POST", "/v1/chat/completions", body)->json();
  const json b = server_.call("POST", "/v1/chat/completions", body)->json();
  ASSERT_EQ(a["choices"].size(), 3u) << a.dump();
  std::set<std::string> distinct;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(a["choices"][i]["index"], i);
    EXPECT_EQ(a["choices"][i]["message"]["content"], b["choices"][i]["message"]["content"]) << "seeded: replays";
    distinct.insert(a["choices"][i]["message"]["content"]);
  }
  EXPECT_GT(distinct.size(), 1u) << "each choice draws from its own seed";
  EXPECT_EQ(a["usage"]["completion_tokens"], 15);
  // Streamed, every choice gets its own role chunk, content and finish.
  const auto s = server_.call("POST", "/v1/chat/completions", chat_body({{"n", 3}, {"temperature", 1.0}, {"seed", 7},
                                                                        {"max_tokens", 5}, {"stream", true}}));
  std::map<int, std::string> content;
  std::map<int, int> finishes;
  for (const json& c : stream_chunks(*s)) {
    const json& choice = c["choices"][0];
    content[choice["index"]] += choice["delta"].value("content", "");
    if (!choice["finish_reason"].is_null()) ++finishes[choice["index"]];
  }
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(content[i], a["choices"][i]["message"]["content"]);
    EXPECT_EQ(finishes[i], 1);
  }
}

TEST_F(OpenAiApiTest, ChatLogprobsListTheChosenAndTopTokens) {
  const json body = server_.call("POST", "/v1/chat/completions",
                                 chat_body({{"logprobs", true}, {"top_logprobs", 3}}))->json();
  const json& content = body["choices"][0]["logprobs"]["content"];
  ASSERT_EQ(content.size(), 6u) << body.dump();
  std::string text;
  for (const json& t : content) {
    EXPECT_LE(t["logprob"].get<double>(), 0.0);
    ASSERT_EQ(t["top_logprobs"].size(), 3u);
    // Greedy without penalties picks the most likely token.
    EXPECT_EQ(t["top_logprobs"][0]["token"], t["token"]);
    EXPECT_DOUBLE_EQ(t["top_logprobs"][0]["logprob"].get<double>(), t["logprob"].get<double>());
    for (const auto& byte : t["bytes"]) text += static_cast<char>(byte.get<int>());
  }
  // The bytes are the text's, up to where half a character was shown as U+FFFD.
  const std::string answer = body["choices"][0]["message"]["content"];
  const std::size_t replaced = answer.find("\xEF\xBF\xBD");
  EXPECT_EQ(text.substr(0, replaced), answer.substr(0, replaced));
  // Streamed, the same entries arrive spread over the chunks.
  const auto s = server_.call("POST", "/v1/chat/completions",
                              chat_body({{"logprobs", true}, {"top_logprobs", 3}, {"stream", true}}));
  json streamed = json::array();
  for (const json& c : stream_chunks(*s)) {
    const json& lp = c["choices"][0]["logprobs"];
    if (!lp.is_null()) streamed.insert(streamed.end(), lp["content"].begin(), lp["content"].end());
  }
  EXPECT_EQ(streamed.size(), content.size());
  for (std::size_t i = 0; i < content.size() && i < streamed.size(); ++i) EXPECT_EQ(streamed[i]["token"], content[i]["token"]);
}

TEST_F(OpenAiApiTest, CompletionsWholeAndStreamedAgreeWithLegacyLogprobs) {
  const json whole = server_.call("POST", "/v1/completions", completion_body({{"logprobs", 2}}))->json();
  EXPECT_EQ(whole["object"], "text_completion");
  EXPECT_EQ(whole["id"].get<std::string>().rfind("cmpl-", 0), 0u);
  const json& choice = whole["choices"][0];
  const std::string text = choice["text"];
  const json& lp = choice["logprobs"];
  ASSERT_EQ(lp["tokens"].size(), 6u) << whole.dump();
  ASSERT_EQ(lp["token_logprobs"].size(), 6u);
  ASSERT_EQ(lp["top_logprobs"].size(), 6u);
  std::size_t offset = 0;
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(lp["text_offset"][i], offset);
    offset += lp["tokens"][i].get<std::string>().size();
    EXPECT_EQ(lp["top_logprobs"][i].size(), 2u);
  }
  EXPECT_EQ(choice["finish_reason"], "length");
  EXPECT_EQ(whole["usage"]["prompt_tokens"], server_.tokenizer().encode("The capital of France is").size());
  const auto s = server_.call("POST", "/v1/completions",
                              completion_body({{"logprobs", 2}, {"stream", true}, {"stream_options", {{"include_usage", true}}}}));
  std::string streamed;
  std::size_t tokens = 0;
  const std::vector<json> chunks = stream_chunks(*s);
  for (const json& c : chunks) {
    EXPECT_EQ(c["object"], "text_completion");
    if (c["choices"].empty()) continue;
    streamed += c["choices"][0]["text"].get<std::string>();
    if (!c["choices"][0]["logprobs"].is_null()) tokens += c["choices"][0]["logprobs"]["tokens"].size();
  }
  EXPECT_EQ(streamed, text);
  EXPECT_EQ(tokens, 6u);
  EXPECT_EQ(chunks.back()["usage"]["completion_tokens"], 6);
  EXPECT_EQ(chunks[chunks.size() - 2]["choices"][0]["finish_reason"], "length");
}

TEST_F(OpenAiApiTest, CompletionsTakeTokenIdsAndPromptListsWithNChoicesEach) {
  const std::vector<int> ids = {785, 6722, 315, 9625, 374};
  const json body = server_.call("POST", "/v1/completions",
                                 completion_body({{"prompt", {"Once upon a time", ids}}, {"n", 2}, {"max_tokens", 3}}))
                        ->json();
  ASSERT_EQ(body["choices"].size(), 4u) << body.dump();
  EXPECT_EQ(body["choices"][0]["text"], body["choices"][1]["text"]) << "greedy: prompt 0's two choices agree";
  EXPECT_EQ(body["choices"][2]["text"], body["choices"][3]["text"]);
  EXPECT_EQ(body["usage"]["prompt_tokens"], server_.tokenizer().encode("Once upon a time").size() + ids.size());
  EXPECT_EQ(body["usage"]["completion_tokens"], 12);
}

TEST_F(OpenAiApiTest, StopStringEndsTheTextBeforeIt) {
  const std::string text = server_.call("POST", "/v1/completions", completion_body({{"max_tokens", 12}}))->json()["choices"][0]["text"];
  ASSERT_GE(text.size(), 6u);
  const std::string stop = text.substr(3, 2);
  const json stopped = server_.call("POST", "/v1/completions", completion_body({{"max_tokens", 12}, {"stop", {stop}}}))->json();
  EXPECT_EQ(stopped["choices"][0]["text"], text.substr(0, text.find(stop)));
  EXPECT_EQ(stopped["choices"][0]["finish_reason"], "stop");
}

TEST_F(OpenAiApiTest, JsonObjectAnswersAlwaysParseAsObjects) {
  std::size_t stopped = 0;
  for (int seed = 0; seed < 6; ++seed) {
    const json body = server_.call("POST", "/v1/chat/completions",
                                   chat_body({{"response_format", {{"type", "json_object"}}}, {"n", 4}, {"seed", seed},
                                              {"temperature", 1.0}, {"max_tokens", 4 + 5 * (seed % 3)}}))
                          ->json();
    ASSERT_EQ(body["choices"].size(), 4u) << body.dump();
    for (const json& choice : body["choices"]) {
      const std::string content = choice["message"]["content"];
      const json parsed = json::parse(content, nullptr, false);
      EXPECT_TRUE(parsed.is_object()) << "seed " << seed << ": " << content;
      stopped += choice["finish_reason"] == "stop";
    }
  }
  EXPECT_GT(stopped, 0u) << "some answers close their object early and end";
  // Streamed completions are constrained alike.
  const auto s = server_.call("POST", "/v1/completions",
                              completion_body({{"response_format", {{"type", "json_object"}}}, {"stream", true},
                                               {"temperature", 0.8}, {"seed", 3}, {"max_tokens", 10}}));
  std::string text;
  for (const json& c : stream_chunks(*s)) text += c["choices"][0]["text"].get<std::string>();
  EXPECT_TRUE(json::parse(text, nullptr, false).is_object()) << text;
}

TEST_F(OpenAiApiTest, ToolsAndThinkingReachTheTemplateAndShapeTheMessage) {
  const json messages = {{{"role", "user"}, {"content", "Weather in Paris?"}}};
  const json tools = json::parse(
      R"([{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}])");
  const auto count = [&](json extra) {
    json body = {{"messages", messages}};
    body.update(extra);
    return server_.call("POST", "/tokenize", body.dump())->json()["count"].get<int>();
  };
  const int plain = count(json::object());
  EXPECT_GT(count({{"tools", tools}}), plain + 20) << "the tool's signature is in the prompt";
  EXPECT_EQ(count({{"tools", tools}, {"tool_choice", "none"}}), plain) << "tool_choice none leaves the tools out";
  EXPECT_GT(count({{"chat_template_kwargs", {{"enable_thinking", false}}}}), plain) << "an empty think block";
  EXPECT_EQ(count({{"add_generation_prompt", false}}), plain - 3) << "no '<|im_start|>assistant\n'";
  // The test model's template is Qwen3's: thinking on by default, so the message has reasoning_content.
  const json thinking = server_.call("POST", "/v1/chat/completions", chat_body({{"tools", tools}}))->json();
  EXPECT_TRUE(thinking["choices"][0]["message"].contains("reasoning_content")) << thinking.dump();
  const json plain_answer =
      server_.call("POST", "/v1/chat/completions", chat_body({{"chat_template_kwargs", {{"enable_thinking", false}}}}))
          ->json();
  EXPECT_FALSE(plain_answer["choices"][0]["message"].contains("reasoning_content")) << plain_answer.dump();
}

TEST_F(OpenAiApiTest, ModelsHealthTokenizeAndDetokenize) {
  const auto models = server_.call("GET", "/v1/models");
  const json list = models->json();
  EXPECT_EQ(list["object"], "list");
  ASSERT_EQ(list["data"].size(), 1u);
  EXPECT_EQ(list["data"][0]["id"], kModelName);
  EXPECT_EQ(list["data"][0]["object"], "model");
  EXPECT_EQ(list["data"][0]["max_model_len"], server_.engine().context_length());
  const auto health = server_.call("GET", "/health");
  EXPECT_EQ(health->status(), 200);
  const json tokens = server_.call("POST", "/tokenize", R"({"prompt": "Hello world"})")->json();
  EXPECT_EQ(tokens["tokens"], server_.tokenizer().encode("Hello world"));
  EXPECT_EQ(tokens["count"], tokens["tokens"].size());
  EXPECT_EQ(tokens["max_model_len"], server_.engine().context_length());
  const json text = server_.call("POST", "/detokenize", json{{"tokens", tokens["tokens"]}}.dump())->json();
  EXPECT_EQ(text["prompt"], "Hello world");
  bool health_public = false;
  for (const HttpRoute& route : server_.api().routes()) health_public |= route.path == "/health" && route.public_route;
  EXPECT_TRUE(health_public);
}

}  // namespace
}  // namespace qwenrt::server::testing
