#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace crm {

/// Hashes a password with argon2id (libsodium, interactive limits: ~0.2 s, 64 MiB).
/// Slow on purpose: call it off I/O threads and event-based actors.
std::string hash_password(std::string_view password);

/// Checks a password against a hash from hash_password, in constant time.
bool verify_password(std::string_view password, const std::string& hash);

/// The password policy: nullopt when acceptable, else why not.
std::optional<std::string> password_policy_violation(std::string_view password);

} // namespace crm
