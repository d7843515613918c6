#include "runtime/token_logprobs.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace qwenrt::runtime {

namespace {

// The top_n highest logits in one pass (each entry's logprob field holds the raw logit until the
// normaliser is known): a small ranked list that a logit enters only when it beats the last entry,
// which after the first few hundred tokens almost none does.
std::vector<TokenLogprob> highest_logits(std::span<const float> logits, std::size_t top_n) {
  std::vector<TokenLogprob> top;
  if (top_n == 0) return top;
  top.reserve(top_n + 1);
  for (std::size_t i = 0; i < logits.size(); ++i) {
    const float logit = logits[i];
    if (logit == -std::numeric_limits<float>::infinity()) continue;
    // Ids arrive in increasing order, so an equal logit never displaces an earlier id.
    if (top.size() == top_n && !(logit > top.back().logprob)) continue;
    const auto at = std::find_if(top.begin(), top.end(),
                                 [logit](const TokenLogprob& t) { return logit > t.logprob; });
    top.insert(at, {static_cast<tokenizer::TokenId>(i), logit});
    if (top.size() > top_n) top.pop_back();
  }
  return top;
}

}  // namespace

TokenLogprobs raw_logprobs(std::span<const float> logits, tokenizer::TokenId chosen, std::size_t top_n) {
  float max = -std::numeric_limits<float>::infinity();
  for (float logit : logits) max = std::max(max, logit);
  double sum = 0;
  for (float logit : logits) sum += std::exp(static_cast<double>(logit) - max);
  const double log_normaliser = max + std::log(sum);
  const auto logprob = [&](float logit) { return static_cast<float>(logit - log_normaliser); };

  TokenLogprobs result{logprob(logits[static_cast<std::size_t>(chosen)]), highest_logits(logits, top_n)};
  for (TokenLogprob& t : result.top) t.logprob = logprob(t.logprob);
  return result;
}

}  // namespace qwenrt::runtime
