#pragma once

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <cstdint>
#include <string>

namespace crm {

/// The service's own error codes; net/http_error.cpp is the one place that maps them to HTTP.
enum class ec : uint8_t {
  /// Not an error.
  none = 0,
  /// Input is malformed or breaks a validation rule.
  invalid_input,
  /// A signature or token did not verify.
  unauthenticated,
  /// The caller lacks the permission.
  forbidden,
  /// The resource does not exist.
  not_found,
  /// The change conflicts with the current state.
  conflict,
  /// The same thing was already done (e.g. a re-delivered provider message).
  duplicate,
  /// The agent cannot take one more chat.
  no_capacity,
  /// A contact rule forbids the action now.
  outside_contact_window,
  /// WhatsApp's 24-hour window is closed: only templates may be sent.
  outside_service_window,
  /// A business rule forbids the action (e.g. a promise for a chat without a debtor).
  rule_broken,
  /// The provider refused the request.
  provider_rejected,
  /// PostgreSQL (or another store the request needs) is unreachable.
  storage_unavailable,
  /// The configuration is invalid.
  invalid_config,
  /// An unexpected internal failure.
  internal,
};

/// The stable snake_case name of a code, as used in JSON error bodies.
const char* to_string(ec code);

/// The CAF error category of crm::ec.
inline constexpr char error_category[] = "crm";

/// Wraps a code (and an optional human message) into a caf::error.
caf::error make_error(ec code);
caf::error make_error(ec code, std::string message);

/// Returns the code of an error of our category, or ec::none for others.
ec code_of(const caf::error& err);

/// Returns the human message attached with make_error, or an empty string.
std::string message_of(const caf::error& err);

template <class T>
using expected = caf::expected<T>;

} // namespace crm
