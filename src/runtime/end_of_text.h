// The ids that end a chat model's answer, for every command that generates (run, chat, serve).
#pragma once

#include <vector>

#include "model/generation_config.h"
#include "model/model_config.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::runtime {

// The model's EOS ids and <|im_end|> / <|endoftext|>: every Qwen chat model ends its turn with one of
// them, while Qwen v1's configs name only <|endoftext|>.
std::vector<tokenizer::TokenId> end_of_text_ids(const model::ModelConfig& config,
                                                const model::GenerationConfig& generation,
                                                const tokenizer::Tokenizer& tokenizer);

}  // namespace qwenrt::runtime
