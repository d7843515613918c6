// OpenAI's error shape, which every failed API request answers with, whichever layer refuses it:
// {"error": {"message": ..., "type": ..., "param": ..., "code": ...}} with the matching HTTP status.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

namespace qwenrt::server {

struct ApiError : std::runtime_error {
  ApiError(int status, std::string message, std::string type = "invalid_request_error",
           std::optional<std::string> param = std::nullopt, std::optional<std::string> code = std::nullopt);

  int status;
  std::string type;
  std::optional<std::string> param;
  std::optional<std::string> code;
};

// The JSON body for error (one line, no trailing newline).
std::string api_error_body(const ApiError& error);

}  // namespace qwenrt::server
