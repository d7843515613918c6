#include "server/http_exchange.h"

#include <algorithm>
#include <cctype>

namespace qwenrt::server {

std::optional<std::string_view> HttpRequest::header(std::string_view name) const {
  const auto same = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
             return std::tolower(x) == std::tolower(y);
           });
  };
  for (const auto& [key, value] : headers) {
    if (same(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

}  // namespace qwenrt::server
