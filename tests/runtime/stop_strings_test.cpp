#include "runtime/stop_strings.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/utf8.h"
#include "tokenizer/streaming_detokenizer.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::runtime {
namespace {

// What feeding these chunks shows, chunk by chunk, and the stop found (if any).
struct Stream {
  std::vector<std::string> shown;
  std::optional<std::size_t> stop;
  std::string finished;

  std::string all() const {
    std::string out;
    for (const std::string& s : shown) out += s;
    return out + finished;
  }
};

Stream stream(const std::vector<std::string>& stops, const std::vector<std::string>& chunks) {
  StopStringMatcher matcher(stops);
  Stream out;
  for (const std::string& chunk : chunks) {
    StopCheck check = matcher.feed(chunk);
    out.shown.push_back(std::move(check.text));
    if (check.stop) {
      EXPECT_FALSE(out.stop.has_value()) << "a second stop reported";
      out.stop = check.stop;
    }
  }
  out.finished = matcher.finish();
  return out;
}

// The text cut into single UTF-8 characters, as a token-by-token stream can deliver it.
std::vector<std::string> characters(const std::string& text) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8::decode(text, i).length;
    out.push_back(text.substr(i, length));
    i += length;
  }
  return out;
}

TEST(StopStrings, CutsJustBeforeTheStopString) {
  const Stream s = stream({"STOP"}, {"Hello STOP world"});
  EXPECT_EQ(s.shown, std::vector<std::string>{"Hello "});
  EXPECT_EQ(s.stop, 0u);
  EXPECT_EQ(s.finished, "");
}

TEST(StopStrings, FindsAStopSpanningChunks) {
  const Stream s = stream({"STOP"}, {"Hel", "lo S", "TO", "P more"});
  EXPECT_EQ(s.shown, (std::vector<std::string>{"Hel", "lo ", "", ""}));
  EXPECT_EQ(s.stop, 0u);
}

TEST(StopStrings, ReleasesAPartialMatchThatFailsToComplete) {
  const Stream s = stream({"STOP"}, {"a ST", "ORE", " and STO", "P"});
  EXPECT_EQ(s.shown, (std::vector<std::string>{"a ", "STORE", " and ", ""}));
  EXPECT_EQ(s.stop, 0u);
}

TEST(StopStrings, FinishReleasesTheHeldTail) {
  const Stream s = stream({"STOP"}, {"the end ST"});
  EXPECT_EQ(s.shown, std::vector<std::string>{"the end "});
  EXPECT_FALSE(s.stop.has_value());
  EXPECT_EQ(s.finished, "ST");
}

TEST(StopStrings, StopAtTheVeryStart) {
  const Stream whole = stream({"<end>"}, {"<end>", "more"});
  EXPECT_EQ(whole.shown, (std::vector<std::string>{"", ""}));
  EXPECT_EQ(whole.stop, 0u);
  EXPECT_EQ(stream({"<end>"}, {"<", "en", "d>"}).all(), "");
}

TEST(StopStrings, OverlappingPrefixesHoldOnlyWhatCouldStillMatch) {
  // "aab" inside "aaab": after "aaa" only the last two a's can start it.
  const Stream s = stream({"aab"}, {"a", "a", "a", "b"});
  EXPECT_EQ(s.shown, (std::vector<std::string>{"", "", "a", ""}));
  EXPECT_EQ(s.stop, 0u);
  // "aba" may begin "abab"; after another "a" only the last "a" still may.
  const Stream not_a_stop = stream({"abab"}, {"aba", "a", "bac"});
  EXPECT_EQ(not_a_stop.shown, (std::vector<std::string>{"", "aba", "abac"}));
  EXPECT_FALSE(not_a_stop.stop.has_value());
}

TEST(StopStrings, SeveralStopStringsTheFirstToCompleteWins) {
  // "bc" completes before "abcd" can, as it would if the text came one byte at a time.
  const Stream s = stream({"abcd", "bc"}, {"xabcd"});
  EXPECT_EQ(s.shown, std::vector<std::string>{"xa"});
  EXPECT_EQ(s.stop, 1u);
  // Ending together, the one that starts first hides all of the stop text.
  const Stream same_end = stream({"b", "ab"}, {"xab"});
  EXPECT_EQ(same_end.shown, std::vector<std::string>{"x"});
  EXPECT_EQ(same_end.stop, 1u);
}

TEST(StopStrings, ChineseText) {
  const Stream period = stream({"。"}, characters("你好，世界。再见"));
  EXPECT_EQ(period.all(), "你好，世界");
  EXPECT_EQ(period.stop, 0u);
  // "世界" is a stop; "世纪" shares its first character and is released once 纪 shows it is not.
  const Stream century = stream({"世界"}, characters("二十一世纪的世界"));
  EXPECT_EQ(century.all(), "二十一世纪的");
  EXPECT_EQ(century.shown[3], "");  // 世 held back
  EXPECT_EQ(century.shown[4], "世纪");
  for (const std::string& piece : century.shown) EXPECT_TRUE(utf8::is_valid(piece));
}

TEST(StopStrings, TheResultDoesNotDependOnTheChunking) {
  const std::vector<std::string> stops = {"\n\nHuman:", "Human", "。\n", "<|im_end|>", "人类："};
  const std::vector<std::string> texts = {
      "Sure.\n\nHuman: next", "Hum Huma Human", "第一句。第二句。\n第三句", "答案是42<|im_end|>",
      "<|im_e>not it", "人类学家说：人类：停", "no stop at all\n\n"};
  for (const std::string& text : texts) {
    const Stream whole = stream(stops, {text});
    const Stream by_character = stream(stops, characters(text));
    EXPECT_EQ(by_character.all(), whole.all()) << text;
    EXPECT_EQ(by_character.stop, whole.stop) << text;
    // Cut into uneven runs of characters too.
    const std::vector<std::string> chars = characters(text);
    std::vector<std::string> runs;
    for (std::size_t i = 0, size = 1; i < chars.size(); i += size, size = size % 3 + 1) {
      std::string run;
      for (std::size_t j = i; j < std::min(chars.size(), i + size); ++j) run += chars[j];
      runs.push_back(run);
    }
    const Stream by_runs = stream(stops, runs);
    EXPECT_EQ(by_runs.all(), whole.all()) << text;
    EXPECT_EQ(by_runs.stop, whole.stop) << text;
  }
  EXPECT_EQ(stream(stops, {"第一句。第二句。\n第三句"}).all(), "第一句。第二句");
  EXPECT_EQ(stream(stops, {"人类学家说：人类：停"}).all(), "人类学家说：");
}

TEST(StopStrings, IgnoresTextAfterAStop) {
  StopStringMatcher matcher({"x"});
  EXPECT_EQ(matcher.feed("abxc").text, "ab");
  EXPECT_TRUE(matcher.stopped());
  const StopCheck after = matcher.feed("more x");
  EXPECT_EQ(after.text, "");
  EXPECT_FALSE(after.stop.has_value());
  EXPECT_EQ(matcher.finish(), "");
}

TEST(StopStrings, WithoutStopStringsEverythingPassesAtOnce) {
  const Stream s = stream({}, {"a", "bc", "你好"});
  EXPECT_EQ(s.shown, (std::vector<std::string>{"a", "bc", "你好"}));
  EXPECT_EQ(s.finished, "");
}

TEST(StopStrings, RejectsEmptyAndInvalidStopStrings) {
  try {
    StopStringMatcher matcher({"ok", ""});
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "stop[1]: must not be an empty string");
  }
  try {
    StopStringMatcher matcher({"\x80" "abc"});
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "stop[0]: is not valid UTF-8");
  }
}

TEST(StopStrings, StreamsRealQwenTokens) {
  // Qwen v1's vocabulary splits rare Chinese characters across tokens; StreamingDetokenizer gives
  // whole characters, and the matcher must stop exactly before "停止" whatever the token cuts.
  const auto file = std::filesystem::path(QWENRT_TESTDATA_DIR) / "tokenizer" / "qwen.tiktoken";
  ASSERT_TRUE(std::filesystem::exists(file)) << file << " is missing: run scripts/make_testdata.sh first";
  const tokenizer::Tokenizer tok = tokenizer::Tokenizer::from_tiktoken(file);
  const std::string before = "龘靐齉，这是一段中文。然后我们";
  const std::vector<tokenizer::TokenId> ids = tok.encode(before + "停止吧，后面的不要 emoji 👨‍👩‍👧");
  tokenizer::StreamingDetokenizer detokenizer(tok);
  StopStringMatcher matcher({"停止", "不要"});
  std::string shown;
  bool stopped = false;
  for (tokenizer::TokenId id : ids) {
    const StopCheck check = matcher.feed(detokenizer.push(id));
    EXPECT_TRUE(utf8::is_valid(check.text));
    shown += check.text;
    if (check.stop) {
      EXPECT_EQ(*check.stop, 0u);
      stopped = true;
      break;
    }
  }
  EXPECT_TRUE(stopped);
  EXPECT_EQ(shown, before);
}

}  // namespace
}  // namespace qwenrt::runtime
