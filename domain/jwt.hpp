#pragma once

#include "domain/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crm::auth {

/// The claims of our access tokens (JWT HS256).
struct token_claims {
  std::string sub;      // user id (UUID)
  std::string role;     // role name, e.g. "agent", "supervisor", "super_admin"
  std::int64_t ver = 0; // the user's token version (a bump revokes older tokens)
  std::int64_t iat = 0; // issued at, unix seconds
  std::int64_t exp = 0; // expires at, unix seconds
};

/// How far in the future `iat` may lie (clock skew between instances), in seconds.
inline constexpr std::int64_t jwt_iat_leeway = 60;

/// The longest token verify_jwt looks at; ours are a few hundred bytes.
inline constexpr std::size_t jwt_max_size = 8192;

/// Signs the claims as a compact JWT: base64url(header).base64url(payload).base64url(HMAC-SHA256).
/// Header is exactly {"alg":"HS256","typ":"JWT"}. The payload is the five claims as a JSON
/// object. Throws nlohmann::json::type_error if sub or role is not valid UTF-8.
std::string sign_jwt(const token_claims& claims, std::string_view secret);

/// Verifies signature (constant-time compare), header alg == "HS256" (reject "none" and every
/// other alg), structure (3 base64url parts, no padding accepted or produced), JSON shape
/// (sub/role non-empty strings, ver/iat/exp integers) and time (exp > now; iat <= now + 60 s
/// leeway). The signature is checked before the payload is parsed. An empty secret verifies
/// nothing. Errors: ec::unauthenticated with a short reason ("malformed token", "bad signature",
/// "token expired", "token not yet valid", "unsupported algorithm").
crm::expected<token_claims> verify_jwt(std::string_view token, std::string_view secret,
                                       std::int64_t now);

/// base64url (RFC 4648 section 5) without padding.
std::string base64url_encode(std::string_view bytes);

/// The inverse of base64url_encode; nullopt on anything it would not produce: characters
/// outside [A-Za-z0-9_-], padding, whitespace, a length of 4n+1, or non-zero trailing bits.
std::optional<std::string> base64url_decode(std::string_view text);

} // namespace crm::auth
