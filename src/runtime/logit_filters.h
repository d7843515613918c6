// The truncating warpers of Hugging Face's generate(): top-k, top-p (nucleus) and min-p (the
// temperature is a division the sampler makes as it builds the candidates). Each keeps a token or
// drops it by comparing its logit or weight with a threshold, so tokens with equal logits share a fate,
// the survivors keep their order (by id, as the sampler builds them), and the result is the same on
// every platform whatever its standard library's selection algorithms do with ties. Each costs time
// linear in the number of tokens: none sorts.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace qwenrt::runtime {

// A token that can still be chosen, with its logit after the steps applied so far (double, so that a
// small temperature cannot overflow it) and, once weigh() has run, its softmax weight.
struct Candidate {
  tokenizer::TokenId id;
  double logit;
  double weight = 0;  // exp(logit - the highest logit): the softmax before dividing by the total
};

// Top-k: the k-th highest of logits (1 <= k <= logits.size(), none NaN). Keeping the logits at or
// above it keeps the k highest and every one tied with the k-th, as Hugging Face's TopKLogitsWarper
// does. It works on the model's float logits, before any candidate is built, so that a step with
// top-k touches only k candidates after one selection pass.
float top_k_threshold(std::span<const float> logits, std::size_t k);

// Sets each candidate's weight. The filters below need it; they always keep the most likely token,
// so the weights stay relative to the highest logit.
void weigh(std::vector<Candidate>& candidates);

// Keeps the smallest set of most likely tokens whose probabilities sum to at least top_p, plus any
// token exactly as likely as the least likely one kept (so equal logits share a fate whatever their
// ids). The most likely token always stays. No change when top_p >= 1.
void keep_top_p(std::vector<Candidate>& candidates, double top_p);

// Drops the tokens whose probability is below min_p times the most likely token's, as Hugging Face's
// MinPLogitsWarper does: weight < min_p. No change when min_p is 0.
void keep_min_p(std::vector<Candidate>& candidates, double min_p);

}  // namespace qwenrt::runtime
