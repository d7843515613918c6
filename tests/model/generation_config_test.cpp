#include "model/generation_config.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/file_io.h"
#include "tiny_checkpoint.h"

namespace qwenrt::model {
namespace {

const std::filesystem::path kData = std::filesystem::path(QWENRT_SOURCE_DIR) / "tests/model/data";

GenerationConfig parse_file(const char* name) {
  return parse_generation_config(read_file(kData / name), name);
}

std::string parse_error(std::string_view text) {
  try {
    parse_generation_config(text, "/m/generation_config.json");
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an Error for " << text;
  return "";
}

TEST(GenerationConfig, ReadsQwenV1ChatDefaults) {
  const GenerationConfig g = parse_file("qwen-7b-chat.generation_config.json");
  EXPECT_EQ(g.eos_token_ids, std::vector<std::int32_t>{151643});
  EXPECT_EQ(g.pad_token_id, 151643);
  EXPECT_FALSE(g.bos_token_id.has_value());
  EXPECT_TRUE(g.do_sample);
  EXPECT_EQ(g.top_k, 0u);
  EXPECT_DOUBLE_EQ(g.top_p, 0.8);
  EXPECT_DOUBLE_EQ(g.temperature, 1.0);  // absent: transformers' default
  EXPECT_DOUBLE_EQ(g.repetition_penalty, 1.1);
  EXPECT_EQ(g.max_new_tokens, 512u);
  EXPECT_EQ(g.max_window_size, 6144u);
  EXPECT_EQ(g.chat_format, "chatml");
}

TEST(GenerationConfig, ReadsQwen25AndQwen3Lists) {
  const GenerationConfig q25 = parse_file("qwen2.5-0.5b-instruct.generation_config.json");
  EXPECT_EQ(q25.eos_token_ids, (std::vector<std::int32_t>{151645, 151643}));
  EXPECT_EQ(q25.bos_token_id, 151643);
  EXPECT_DOUBLE_EQ(q25.temperature, 0.7);
  EXPECT_EQ(q25.top_k, 20u);
  EXPECT_FALSE(q25.max_new_tokens.has_value());
  EXPECT_EQ(q25.chat_format, "");
  const GenerationConfig q3 = parse_file("qwen3-0.6b.generation_config.json");
  EXPECT_DOUBLE_EQ(q3.temperature, 0.6);
  EXPECT_DOUBLE_EQ(q3.top_p, 0.95);
}

TEST(GenerationConfig, MissingFileGivesDefaults) {
  testing::TempDir dir;
  const GenerationConfig g = load_generation_config(dir.path());
  EXPECT_TRUE(g.eos_token_ids.empty());
  EXPECT_FALSE(g.do_sample);
  EXPECT_DOUBLE_EQ(g.temperature, 1.0);
  EXPECT_DOUBLE_EQ(g.top_p, 1.0);
  EXPECT_EQ(g.top_k, 50u);
  EXPECT_DOUBLE_EQ(g.repetition_penalty, 1.0);

  testing::write_file(dir.path() / "generation_config.json", "{\"eos_token_id\": 7, \"top_k\": 3}");
  const GenerationConfig read = load_generation_config(dir.path());
  EXPECT_EQ(read.eos_token_ids, std::vector<std::int32_t>{7});
  EXPECT_EQ(read.top_k, 3u);
}

TEST(GenerationConfig, RejectsBadValues) {
  EXPECT_EQ(parse_error("{\"top_p\": 0}"), "/m/generation_config.json: top_p: must be in (0, 1], got 0");
  EXPECT_EQ(parse_error("{\"temperature\": -1}"),
            "/m/generation_config.json: temperature: must be a finite number >= 0, got -1");
  EXPECT_EQ(parse_error("{\"top_k\": \"20\"}"),
            "/m/generation_config.json: top_k: expected an integer, got string");
  EXPECT_EQ(parse_error("{\"top_k\": -1}"), "/m/generation_config.json: top_k: must be at least 0, got -1");
  EXPECT_EQ(parse_error("{\"max_new_tokens\": 0}"),
            "/m/generation_config.json: max_new_tokens: must be at least 1, got 0");
  EXPECT_EQ(parse_error("{\"repetition_penalty\": 0}"),
            "/m/generation_config.json: repetition_penalty: must be a finite number > 0, got 0");
  EXPECT_EQ(parse_error("{\"eos_token_id\": [1, \"x\"]}"),
            "/m/generation_config.json: eos_token_id: expected a token id (integer), got string");
  EXPECT_EQ(parse_error("{\"do_sample\": \"yes\"}"),
            "/m/generation_config.json: do_sample: expected true or false, got string");
  EXPECT_TRUE(parse_error("{").starts_with("/m/generation_config.json: invalid JSON"));
}

TEST(GenerationConfig, StopTokensJoinBothFilesWithoutDuplicates) {
  ModelConfig config;
  config.vocab_size = 151936;
  config.eos_token_ids = {151645};
  GenerationConfig generation;
  generation.eos_token_ids = {151645, 151643};
  EXPECT_EQ(stop_token_ids(config, generation), (std::vector<std::int32_t>{151645, 151643}));
  generation.eos_token_ids = {151643};  // Qwen v1 chat: the chat format adds <|im_end|> later
  config.eos_token_ids = {};
  EXPECT_EQ(stop_token_ids(config, generation), std::vector<std::int32_t>{151643});
  generation.eos_token_ids = {200000, 151643};  // an id the model cannot produce cannot stop it
  EXPECT_EQ(stop_token_ids(config, generation), std::vector<std::int32_t>{151643});
}

}  // namespace
}  // namespace qwenrt::model
