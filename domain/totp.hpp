#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crm::totp {

/// RFC 6238 parameters used here: HMAC-SHA-1, 30-second steps, 6 digits.
inline constexpr unsigned step_seconds = 30;
inline constexpr unsigned digits = 6;

/// A fresh random secret (20 bytes, as RFC 4226 recommends).
std::string new_secret();

/// The secret in RFC 4648 base32 without padding, as authenticator apps take it.
std::string base32(std::string_view secret);

/// The inverse of base32 (what a user types from an authenticator's setup screen).
std::string from_base32(std::string_view text);

/// The otpauth:// URI an authenticator app scans: issuer and account are escaped.
std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view secret);

/// The code of the step holding unix time `now` (`n` digits).
std::string code_at(std::string_view secret, std::int64_t now, unsigned n = digits);

/// Checks a code against the steps now-1, now and now+1 (clock drift), skipping steps up to
/// `last_used` so a code cannot be used twice. Returns the matching step, to be stored as
/// the new `last_used`.
std::optional<std::int64_t> verify(std::string_view secret, std::string_view code, std::int64_t now,
                                   std::int64_t last_used);

} // namespace crm::totp
