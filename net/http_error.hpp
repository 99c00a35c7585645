#pragma once

#include "domain/error.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace crm::net {

/// An error as the HTTP client sees it.
struct http_failure {
  unsigned status;
  std::string body; // {"error": {"code", "message", "details"?}}
};

/// The one table from crm::ec / caf::sec to HTTP status and stable JSON.
http_failure to_http(const caf::error& err);

/// Builds the error body of API.md.
std::string error_body(const std::string& code, const std::string& message,
                       const nlohmann::json& details = nullptr);

/// The HTTP status of one of our codes.
unsigned status_of(ec code);

} // namespace crm::net
