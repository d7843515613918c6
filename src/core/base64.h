// Standard base64 (RFC 4648, with padding), as tiktoken rank files and data URLs use it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace qwenrt::base64 {

// nullopt when text is not valid padded base64.
std::optional<std::string> decode(std::string_view text);
std::string encode(std::string_view bytes);

}  // namespace qwenrt::base64
