#include "cli/bench/sharegpt_generator.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "cli/bench/english_text.h"
#include "cli/bench/random_draws.h"
#include "core/error.h"

namespace qwenrt::bench {
namespace {

// Users ask more questions than the answers do.
constexpr double kPromptQuestionShare = 0.4;
constexpr double kAnswerQuestionShare = 0.05;

// ShareGPT's ids: seven letters and digits, and the part of a split conversation ("_0").
std::string conversation_id(runtime::RandomStream& random) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string id;
  for (int i = 0; i < 7; ++i) id += kAlphabet[uniform_index(random, kAlphabet.size())];
  return id + "_0";
}

}  // namespace

std::size_t LogNormalLengths::draw(runtime::RandomStream& random) const {
  const double length = std::round(median * std::exp(sigma * standard_normal(random)));
  return static_cast<std::size_t>(std::clamp(length, 1.0, static_cast<double>(max)));
}

std::vector<GeneratedConversation> generate_sharegpt(const tokenizer::Tokenizer& tokenizer, std::size_t n,
                                                     std::uint64_t seed) {
  if (n == 0) fail("--conversations must be at least 1");
  const EnglishTextWriter writer(tokenizer);
  runtime::RandomStream random(seed);
  std::vector<GeneratedConversation> conversations(n);
  for (GeneratedConversation& c : conversations) {
    c.id = conversation_id(random);
    c.prompt_tokens = kSharegptPromptLengths.draw(random);
    c.prompt = writer.write(c.prompt_tokens, kPromptQuestionShare, random);
    if (random.next_uniform() < kSharegptSingleTurnShare) continue;
    c.answer_tokens = kSharegptOutputLengths.draw(random);
    c.answer = writer.write(c.answer_tokens, kAnswerQuestionShare, random);
  }
  return conversations;
}

std::string sharegpt_json(const std::vector<GeneratedConversation>& conversations) {
  std::string text = "[\n";
  for (std::size_t i = 0; i < conversations.size(); ++i) {
    const GeneratedConversation& c = conversations[i];
    // In ShareGPT's own key order.
    nlohmann::ordered_json turns = nlohmann::ordered_json::array({{{"from", "human"}, {"value", c.prompt}}});
    if (c.answer_tokens > 0) turns.push_back({{"from", "gpt"}, {"value", c.answer}});
    text += nlohmann::ordered_json{{"id", c.id}, {"conversations", std::move(turns)}}.dump();
    text += i + 1 < conversations.size() ? ",\n" : "\n";
  }
  return text + "]\n";
}

}  // namespace qwenrt::bench
