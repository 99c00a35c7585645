// libFuzzer target: access tokens as an attacker sends them, and base64url.
#include "domain/jwt.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view token{reinterpret_cast<const char*>(data), size};
  auto claims = crm::auth::verify_jwt(token, "fuzz-secret-0123456789abcdef0123456789", 1764230000);
  if (claims) // only a correctly signed token may pass: with this secret, none does
    __builtin_trap();
  if (auto bytes = crm::auth::base64url_decode(token))
    (void)crm::auth::base64url_encode(*bytes);
  return 0;
}
