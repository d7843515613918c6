// Operations on one row of logits: the probabilities and the greedy choice.
#pragma once

#include <cstddef>
#include <span>

namespace qwenrt::cpu {

// x = softmax(x) in place, computed as exp(x - max) / sum in float (exp to a few ulps): entries at
// -inf get exactly 0. Like torch, a row with a NaN, or with every entry -inf, becomes NaN.
// Throws Error for an empty row.
void softmax(std::span<float> x);

// The index of the largest value, the first one on ties. As in torch.argmax a NaN counts as larger
// than any number (the first NaN wins), so a broken row is not mistaken for a confident one.
// Throws Error for an empty row.
std::size_t argmax(std::span<const float> x);

}  // namespace qwenrt::cpu
