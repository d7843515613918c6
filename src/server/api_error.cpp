#include "server/api_error.h"

#include <nlohmann/json.hpp>

namespace qwenrt::server {

ApiError::ApiError(int status_code, std::string message, std::string error_type, std::optional<std::string> error_param,
                   std::optional<std::string> error_code)
    : std::runtime_error(std::move(message)),
      status(status_code),
      type(std::move(error_type)),
      param(std::move(error_param)),
      code(std::move(error_code)) {}

std::string api_error_body(const ApiError& error) {
  const auto optional = [](const std::optional<std::string>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
  const nlohmann::json body = {{"error",
                                {{"message", error.what()},
                                 {"type", error.type},
                                 {"param", optional(error.param)},
                                 {"code", error.code ? nlohmann::json(*error.code) : nlohmann::json(error.status)}}}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace qwenrt::server
