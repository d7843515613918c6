// The byte <-> character map of byte-level BPE (GPT-2's bytes_to_unicode): tokenizer.json writes every
// token as a string of these stand-in characters, one per byte.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace qwenrt::tokenizer {

// The raw bytes a tokenizer.json vocabulary string stands for; nullopt when it holds a character that
// is not one of the 256 stand-ins.
std::optional<std::string> byte_level_decode(std::string_view token);

// The tokenizer.json spelling of raw bytes.
std::string byte_level_encode(std::string_view bytes);

}  // namespace qwenrt::tokenizer
