#include "runtime/end_of_text.h"

#include <algorithm>

namespace qwenrt::runtime {

std::vector<tokenizer::TokenId> end_of_text_ids(const model::ModelConfig& config,
                                                const model::GenerationConfig& generation,
                                                const tokenizer::Tokenizer& tokenizer) {
  std::vector<tokenizer::TokenId> ids = model::stop_token_ids(config, generation);
  for (const char* end : {"<|im_end|>", "<|endoftext|>"}) {
    const auto id = tokenizer.added_token_id(end);
    if (id && std::find(ids.begin(), ids.end(), *id) == ids.end()) ids.push_back(*id);
  }
  return ids;
}

}  // namespace qwenrt::runtime
