#include "engine/forward_batch.h"

namespace qwenrt::engine {

std::size_t logit_rows(std::span<const SequenceStep> batch) {
  std::size_t rows = 0;
  for (const SequenceStep& s : batch) rows += s.logits_for_every_token ? s.tokens.size() : 1;
  return rows;
}

}  // namespace qwenrt::engine
