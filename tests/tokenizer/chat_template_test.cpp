#include "tokenizer/chat_template.h"

#include <gtest/gtest.h>

#include <fstream>

#include "chat_test_data.h"
#include "core/error.h"
#include "testdata.h"
#include "tokenizer/python_json.h"

namespace qwenrt::tokenizer {
namespace {

using qwenrt::testing::Conversation;
using qwenrt::testing::count;

std::size_t count_in(const std::vector<PromptSegment>& segments, bool markup, std::string_view needle) {
  std::size_t n = 0;
  for (const PromptSegment& s : segments) {
    if (s.is_markup == markup) n += count(s.text, needle);
  }
  return n;
}

bool has_content_segment(const std::vector<PromptSegment>& segments, std::string_view text) {
  for (const PromptSegment& s : segments) {
    if (!s.is_markup && s.text == text) return true;
  }
  return false;
}

class ChatTemplateParity : public ::testing::TestWithParam<qwenrt::testing::TemplateFamily> {};

// Every conversation renders exactly as the model's own Jinja template renders it.
TEST_P(ChatTemplateParity, RendersAsTheJinjaTemplate) {
  const auto file = qwenrt::testing::chat_renders_file(GetParam().file);
  ASSERT_TRUE(qwenrt::testing::have_testdata_file(file));
  const auto expected = nlohmann::ordered_json::parse(read_file(file)).at("renders");
  const std::vector<Conversation> conversations = qwenrt::testing::load_conversations();
  ASSERT_EQ(expected.size(), conversations.size()) << file << " is stale: rerun scripts/make_testdata.sh";
  const ChatTemplate chat_template(GetParam().family);
  for (std::size_t i = 0; i < conversations.size(); ++i) {
    const Conversation& c = conversations[i];
    ASSERT_EQ(expected[i].at("name"), c.name);
    const auto segments = chat_template.render(c.messages, c.options);
    EXPECT_EQ(join(segments), expected[i].at("text").get<std::string>()) << GetParam().file << ": " << c.name;
    for (std::size_t s = 0; s < segments.size(); ++s) {
      EXPECT_FALSE(segments[s].text.empty()) << c.name;
      if (s > 0) {
        EXPECT_NE(segments[s].is_markup, segments[s - 1].is_markup) << c.name << ": unmerged neighbours";
      }
    }
  }
}

// Text written by the caller stays content however much it looks like control tokens; the template's
// own markers, default system prompt and tools preamble are markup, and each tool's JSON is content.
TEST_P(ChatTemplateParity, MarksCallerTextAsContent) {
  const ChatTemplate chat_template(GetParam().family);
  for (const Conversation& c : qwenrt::testing::load_conversations()) {
    const auto segments = chat_template.render(c.messages, c.options);
    const std::string text = join(segments);
    EXPECT_EQ(count_in(segments, true, "<|im_start|>") + count_in(segments, false, "<|im_start|>"),
              count(text, "<|im_start|>"));
    if (c.name == "content_with_control_token_text") {
      EXPECT_EQ(count_in(segments, false, "<|im_start|>"), 3u);
      EXPECT_EQ(count_in(segments, false, "<|im_end|>"), 2u);
      EXPECT_EQ(count_in(segments, false, "<|endoftext|>"), 1u);
      EXPECT_EQ(count_in(segments, false, "<think>"), 1u);
      EXPECT_EQ(count_in(segments, false, "<tool_call>"), 1u);
      EXPECT_EQ(count_in(segments, true, "<|im_start|>"), count(text, "<|im_start|>") - 3);
    }
    const bool writes_tools = GetParam().family == ChatFamily::kQwen2_5 || GetParam().family == ChatFamily::kQwen3;
    if (writes_tools && !c.options.tools.empty()) {
      EXPECT_EQ(count_in(segments, true, "# Tools\n\nYou may call one or more functions"), 1u) << c.name;
      for (const auto& tool : c.options.tools) {
        EXPECT_TRUE(has_content_segment(segments, python_json_dumps(tool))) << c.name;
      }
      for (const ChatMessage& m : c.messages) {
        for (const ToolCall& call : m.tool_calls) EXPECT_TRUE(has_content_segment(segments, call.name)) << c.name;
      }
    }
  }
  if (const auto& system = chat_template.default_system()) {
    const auto segments = chat_template.render(std::vector<ChatMessage>{{ChatRole::kUser, "Hi"}}, ChatOptions{});
    EXPECT_TRUE(segments.front().is_markup);
    EXPECT_NE(segments.front().text.find(*system), std::string::npos);
  }
}

// The verbatim template files map to their family silently, with or without the final newline that
// Jinja drops.
TEST_P(ChatTemplateParity, RecognisesItsVerbatimTemplate) {
  std::string source = read_file(qwenrt::testing::chat_templates_dir() / (std::string(GetParam().file) + ".jinja"));
  if (source.ends_with('\n')) source.pop_back();
  for (const std::string& variant : {source, source + "\n"}) {
    const ChatTemplate recognised = ChatTemplate::from_jinja(variant);
    EXPECT_EQ(recognised.family(), GetParam().family);
    EXPECT_EQ(recognised.note(), "");
    EXPECT_EQ(recognised.default_system(), ChatTemplate(GetParam().family).default_system());
  }
}

INSTANTIATE_TEST_SUITE_P(Families, ChatTemplateParity, ::testing::ValuesIn(qwenrt::testing::template_families()),
                         [](const auto& info) { return std::string(info.param.file); });

std::string read_template(const char* file) {
  return read_file(qwenrt::testing::chat_templates_dir() / file);
}

std::string replaced(std::string text, std::string_view from, std::string_view to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(ChatTemplateRecognition, ChangedTemplatesMapToTheClosestFamilyWithANote) {
  // Qwen2.5-Math's template is Qwen2.5's with its own default system prompt.
  const std::string math_system = "Please reason step by step, and put your final answer within \\\\boxed{}.";
  std::string math = read_template("qwen2_5.jinja");
  math = replaced(math, "'<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.",
                  "'<|im_start|>system\\n" + math_system);
  math = replaced(math, "{{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}",
                  "{{- '" + math_system + "' }}");
  const ChatTemplate qwen2_5_math = ChatTemplate::from_jinja(math);
  EXPECT_EQ(qwen2_5_math.family(), ChatFamily::kQwen2_5);
  EXPECT_EQ(qwen2_5_math.default_system(), "Please reason step by step, and put your final answer within \\boxed{}.");
  EXPECT_NE(qwen2_5_math.note().find("rendering it natively as qwen2.5"), std::string::npos) << qwen2_5_math.note();

  const ChatTemplate qwen3 = ChatTemplate::from_jinja(replaced(read_template("qwen3.jinja"), "<think>\\n\\n</think>", "<think>\\n</think>"));
  EXPECT_EQ(qwen3.family(), ChatFamily::kQwen3);
  EXPECT_NE(qwen3.note(), "");

  const ChatTemplate qwen2 = ChatTemplate::from_jinja(replaced(read_template("qwen2.jinja"), "helpful assistant.", "pirate."));
  EXPECT_EQ(qwen2.family(), ChatFamily::kQwen2);
  EXPECT_EQ(qwen2.default_system(), "You are a pirate.");

  // Qwen1.5-Chat's first template: a default system prompt without the period.
  const ChatTemplate qwen1_5_first = ChatTemplate::from_jinja(
      R"({% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful assistant<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content']}}{% if (loop.last and add_generation_prompt) or not loop.last %}{{ '<|im_end|>' + '\n'}}{% endif %}{% endfor %}{% if add_generation_prompt and messages[-1]['role'] != 'assistant' %}{{ '<|im_start|>assistant\n' }}{% endif %})");
  EXPECT_EQ(qwen1_5_first.family(), ChatFamily::kQwen2);
  EXPECT_EQ(qwen1_5_first.default_system(), "You are a helpful assistant");
  EXPECT_NE(qwen1_5_first.note(), "");

  const ChatTemplate other = ChatTemplate::from_jinja("{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}");
  EXPECT_EQ(other.family(), ChatFamily::kChatML);
  EXPECT_FALSE(other.default_system().has_value());
  EXPECT_NE(other.note().find("does not write <|im_start|>"), std::string::npos) << other.note();
}

class ModelDirectory : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("qwenrt_chat_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const char* name, const std::string& text) const { std::ofstream(dir_ / name, std::ios::binary) << text; }
  std::string error_of_for_model() const {
    try {
      ChatTemplate::for_model(dir_);
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  }
  std::filesystem::path dir_;
};

TEST_F(ModelDirectory, ReadsTheTemplateOfTokenizerConfig) {
  nlohmann::json config = {{"tokenizer_class", "Qwen2Tokenizer"}, {"chat_template", read_template("qwen3.jinja")}};
  write("tokenizer_config.json", config.dump(2));
  EXPECT_EQ(ChatTemplate::for_model(dir_).family(), ChatFamily::kQwen3);
  EXPECT_EQ(ChatTemplate::for_model(dir_).note(), "");

  config["chat_template"] = nlohmann::json::array({{{"name", "tool_use"}, {"template", "x"}},
                                                   {{"name", "default"}, {"template", read_template("qwen2_5.jinja")}}});
  write("tokenizer_config.json", config.dump());
  EXPECT_EQ(ChatTemplate::for_model(dir_).family(), ChatFamily::kQwen2_5);

  // A separate chat_template.jinja is what newer transformers save and load first.
  write("chat_template.jinja", read_template("qwen2.jinja"));
  EXPECT_EQ(ChatTemplate::for_model(dir_).family(), ChatFamily::kQwen2);
}

TEST_F(ModelDirectory, WithoutATemplate) {
  write("tokenizer_config.json", R"({"tokenizer_class": "QWenTokenizer"})");
  const ChatTemplate base = ChatTemplate::for_model(dir_);
  EXPECT_EQ(base.family(), ChatFamily::kChatML);
  EXPECT_NE(base.note().find("tokenizer_config.json: no chat_template"), std::string::npos) << base.note();
  write("qwen.tiktoken", "");
  EXPECT_EQ(ChatTemplate::for_model(dir_).family(), ChatFamily::kQwenV1);
  EXPECT_EQ(ChatTemplate::for_model(dir_).note(), "");
  std::filesystem::remove(dir_ / "tokenizer_config.json");
  EXPECT_EQ(ChatTemplate::for_model(dir_).family(), ChatFamily::kQwenV1);
}

TEST_F(ModelDirectory, ErrorsNameTheFile) {
  EXPECT_EQ(error_of_for_model(), dir_.string() + ": no tokenizer_config.json or qwen.tiktoken to choose a chat template from");
  write("tokenizer_config.json", "{\"chat_template\": ");
  EXPECT_EQ(error_of_for_model(), (dir_ / "tokenizer_config.json").string() + ": not a JSON object");
  write("tokenizer_config.json", R"({"chat_template": 3})");
  EXPECT_EQ(error_of_for_model(),
            (dir_ / "tokenizer_config.json").string() + ": chat_template: expected a string or a list of {name, template}");
  write("tokenizer_config.json", R"({"chat_template": [{"name": "tool_use", "template": "x"}]})");
  EXPECT_EQ(error_of_for_model(),
            (dir_ / "tokenizer_config.json").string() + ": chat_template: no template named \"default\" in the list");
}

// Qwen v1's make_context: the system turn (given or default), then each turn after a "\n", then the
// assistant's opening.
TEST(QwenV1Template, RendersAsMakeContext) {
  const ChatTemplate v1(ChatFamily::kQwenV1);
  EXPECT_EQ(join(v1.render(std::vector<ChatMessage>{{ChatRole::kUser, "Hi"}}, ChatOptions{})),
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
            "<|im_start|>assistant\n");
  const std::vector<ChatMessage> history = {{ChatRole::kSystem, "Be terse."},
                                            {ChatRole::kUser, "Q1"},
                                            {ChatRole::kAssistant, "A1"},
                                            {ChatRole::kUser, "<|im_start|>Q2"}};
  const auto segments = v1.render(history, ChatOptions{});
  EXPECT_EQ(join(segments),
            "<|im_start|>system\nBe terse.<|im_end|>\n<|im_start|>user\nQ1<|im_end|>\n<|im_start|>assistant\nA1<|im_end|>\n"
            "<|im_start|>user\n<|im_start|>Q2<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_EQ(count_in(segments, false, "<|im_start|>"), 1u);
  EXPECT_EQ(v1.encoding(), PromptEncoding::kPerSegment);
  ChatOptions no_prompt;
  no_prompt.add_generation_prompt = false;
  EXPECT_EQ(join(v1.render(history, no_prompt)),
            "<|im_start|>system\nBe terse.<|im_end|>\n<|im_start|>user\nQ1<|im_end|>\n<|im_start|>assistant\nA1<|im_end|>\n"
            "<|im_start|>user\n<|im_start|>Q2<|im_end|>");
}

TEST(QwenV1Template, RejectsToolsItCannotWrite) {
  const ChatTemplate v1(ChatFamily::kQwenV1);
  ChatOptions with_tools;
  with_tools.tools = nlohmann::ordered_json::parse(R"([{"type": "function", "function": {"name": "f"}}])");
  EXPECT_THROW(v1.render(std::vector<ChatMessage>{{ChatRole::kUser, "Hi"}}, with_tools), Error);
  try {
    v1.render(std::vector<ChatMessage>{{ChatRole::kUser, "Hi"}, {ChatRole::kTool, "42"}}, ChatOptions{});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "messages[1].role: the Qwen v1 chat format has no tool role");
  }
}

TEST(ChatTemplate, NothingToRender) {
  for (const auto& f : qwenrt::testing::template_families()) {
    EXPECT_THROW(ChatTemplate(f.family).render(std::vector<ChatMessage>{}, ChatOptions{}), Error);
  }
  EXPECT_EQ(family_name(ChatFamily::kQwen2_5), "qwen2.5");
}

}  // namespace
}  // namespace qwenrt::tokenizer
