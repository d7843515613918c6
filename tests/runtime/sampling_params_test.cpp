#include "runtime/sampling_params.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "core/error.h"
#include "core/file_io.h"

namespace qwenrt::runtime {
namespace {

const std::filesystem::path kModelData = std::filesystem::path(QWENRT_SOURCE_DIR) / "tests/model/data";

SamplingParams from_file(const char* name) {
  return SamplingParams::from_generation_config(
      model::parse_generation_config(read_file(kModelData / name), name));
}

TEST(SamplingParams, TakesQwenV1Defaults) {
  const SamplingParams p = from_file("qwen-7b-chat.generation_config.json");
  EXPECT_DOUBLE_EQ(p.temperature, 1.0);  // do_sample true, no temperature in the file
  EXPECT_EQ(p.top_k, 0u);
  EXPECT_DOUBLE_EQ(p.top_p, 0.8);
  EXPECT_DOUBLE_EQ(p.repetition_penalty, 1.1);
  EXPECT_EQ(p.max_new_tokens, 512u);
  EXPECT_DOUBLE_EQ(p.min_p, 0.0);
  EXPECT_DOUBLE_EQ(p.presence_penalty, 0.0);
  EXPECT_DOUBLE_EQ(p.frequency_penalty, 0.0);
  EXPECT_TRUE(p.stop_token_ids.empty());  // the eos ids are the model's, not the request's
  EXPECT_FALSE(p.seed.has_value());
  EXPECT_FALSE(p.logprobs.has_value());
  EXPECT_NO_THROW(p.validate());
}

TEST(SamplingParams, TakesQwen25AndQwen3Defaults) {
  const SamplingParams q25 = from_file("qwen2.5-0.5b-instruct.generation_config.json");
  EXPECT_DOUBLE_EQ(q25.temperature, 0.7);
  EXPECT_EQ(q25.top_k, 20u);
  EXPECT_DOUBLE_EQ(q25.top_p, 0.8);
  EXPECT_DOUBLE_EQ(q25.repetition_penalty, 1.1);
  EXPECT_FALSE(q25.max_new_tokens.has_value());
  const SamplingParams q3 = from_file("qwen3-0.6b.generation_config.json");
  EXPECT_DOUBLE_EQ(q3.temperature, 0.6);
  EXPECT_DOUBLE_EQ(q3.top_p, 0.95);
  EXPECT_DOUBLE_EQ(q3.repetition_penalty, 1.0);
}

TEST(SamplingParams, DoSampleFalseIsGreedy) {
  model::GenerationConfig generation;  // transformers' defaults: do_sample false, top_k 50
  generation.temperature = 0.7;
  generation.repetition_penalty = 1.05;
  const SamplingParams p = SamplingParams::from_generation_config(generation);
  EXPECT_DOUBLE_EQ(p.temperature, 0.0);
  EXPECT_EQ(p.top_k, 50u);
  EXPECT_DOUBLE_EQ(p.repetition_penalty, 1.05);  // Hugging Face applies it when decoding greedily too
}

TEST(SamplingParams, DefaultsAreValid) { EXPECT_NO_THROW(SamplingParams{}.validate()); }

std::string validation_error(const std::function<void(SamplingParams&)>& change) {
  SamplingParams p;
  change(p);
  try {
    p.validate();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(SamplingParams, RejectsOutOfRangeValuesNamingTheRange) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(validation_error([](auto& p) { p.temperature = -0.5; }),
            "temperature: must be a finite number >= 0, got -0.5");
  EXPECT_EQ(validation_error([&](auto& p) { p.temperature = inf; }),
            "temperature: must be a finite number >= 0, got inf");
  EXPECT_EQ(validation_error([&](auto& p) { p.temperature = nan; }),
            "temperature: must be a finite number >= 0, got nan");
  EXPECT_EQ(validation_error([](auto& p) { p.top_p = 0; }), "top_p: must be in (0, 1], got 0");
  EXPECT_EQ(validation_error([](auto& p) { p.top_p = 1.5; }), "top_p: must be in (0, 1], got 1.5");
  EXPECT_EQ(validation_error([&](auto& p) { p.top_p = nan; }), "top_p: must be in (0, 1], got nan");
  EXPECT_EQ(validation_error([](auto& p) { p.min_p = -0.1; }), "min_p: must be in [0, 1], got -0.1");
  EXPECT_EQ(validation_error([](auto& p) { p.min_p = 1.01; }), "min_p: must be in [0, 1], got 1.01");
  EXPECT_EQ(validation_error([](auto& p) { p.repetition_penalty = 0; }),
            "repetition_penalty: must be a finite number > 0, got 0");
  EXPECT_EQ(validation_error([](auto& p) { p.presence_penalty = 2.5; }),
            "presence_penalty: must be in [-2, 2], got 2.5");
  EXPECT_EQ(validation_error([](auto& p) { p.frequency_penalty = -3; }),
            "frequency_penalty: must be in [-2, 2], got -3");
  EXPECT_EQ(validation_error([](auto& p) { p.max_new_tokens = 0; }),
            "max_new_tokens: must be at least 1, got 0");
  EXPECT_EQ(validation_error([](auto& p) { p.stop = {"ok", ""}; }), "stop[1]: must not be an empty string");
  EXPECT_EQ(validation_error([](auto& p) { p.stop = {"\xE4\xBD"}; }), "stop[0]: is not valid UTF-8");
  EXPECT_EQ(validation_error([](auto& p) { p.stop_token_ids = {151643, -1}; }),
            "stop_token_ids[1]: must be >= 0, got -1");
  EXPECT_EQ(validation_error([](auto& p) { p.logprobs = 21; }), "logprobs: must be in [0, 20], got 21");
}

TEST(SamplingParams, AcceptsTheEdgesOfEachRange) {
  SamplingParams p;
  p.temperature = 0;
  p.top_p = 1;
  p.min_p = 1;
  p.presence_penalty = -2;
  p.frequency_penalty = 2;
  p.repetition_penalty = 1e-3;
  p.max_new_tokens = 1;
  p.logprobs = 20;
  p.stop = {"。", "\n\n"};
  EXPECT_NO_THROW(p.validate());
  p.logprobs = 0;
  EXPECT_NO_THROW(p.validate());
}

}  // namespace
}  // namespace qwenrt::runtime
