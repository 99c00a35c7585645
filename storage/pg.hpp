#pragma once

#include "domain/error.hpp"

#include <caf/error.hpp>

#include <exception>
#include <stdexcept>
#include <string>

namespace crm::storage {

/// Adds a short connect_timeout to a libpq URL (unless it has one), so an unreachable
/// database fails fast and requests answer 503 instead of hanging.
std::string with_connect_timeout(const std::string& url, int seconds = 3);

/// Adds `options=-c crm.timezone=ZONE` to a libpq URL: every connection of the server then
/// knows the business calendar (business_today() in SQL) while keeping its own TimeZone.
/// An URL that already sets options is returned unchanged.
std::string with_business_zone(const std::string& url, const std::string& zone);

/// A business rule a repository found broken (answered as that error, not logged as a
/// storage failure).
struct rule_error : std::runtime_error {
  rule_error(ec c, const std::string& what) : std::runtime_error{what}, code{c} {}
  ec code;
};

/// Translates a libpqxx (or std) exception into our error: connection problems,
/// deadlocks and serialization failures are ec::storage_unavailable (retry later).
caf::error translate(const std::exception& e);

/// True when the error means the connection should be dropped and reopened.
bool connection_lost(const std::exception& e);

} // namespace crm::storage
