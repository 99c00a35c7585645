#include "domain/totp.hpp"

#include <liboath/oath.h>
#include <sodium.h>

#include <cctype>
#include <cstdlib>
#include <memory>
#include <mutex>

namespace crm::totp {

namespace {

void init_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    oath_init();
    if (sodium_init() < 0)
      std::abort();
  });
}

std::string escape(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '@') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

} // namespace

std::string new_secret() {
  init_once();
  std::string secret(20, '\0');
  randombytes_buf(secret.data(), secret.size());
  return secret;
}

std::string base32(std::string_view secret) {
  init_once();
  char* out = nullptr;
  size_t length = 0;
  if (oath_base32_encode(secret.data(), secret.size(), &out, &length) != OATH_OK)
    return {};
  std::unique_ptr<char, decltype(&std::free)> owned{out, &std::free};
  std::string result{out, length};
  while (!result.empty() && result.back() == '=')
    result.pop_back();
  return result;
}

std::string from_base32(std::string_view text) {
  init_once();
  std::string padded{text};
  while (padded.size() % 8 != 0)
    padded += '=';
  char* out = nullptr;
  size_t length = 0;
  if (oath_base32_decode(padded.data(), padded.size(), &out, &length) != OATH_OK)
    return {};
  std::unique_ptr<char, decltype(&std::free)> owned{out, &std::free};
  return {out, length};
}

std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        std::string_view secret) {
  return "otpauth://totp/" + escape(issuer) + ":" + escape(account) + "?secret=" + base32(secret) +
         "&issuer=" + escape(issuer) + "&algorithm=SHA1&digits=" + std::to_string(digits) +
         "&period=" + std::to_string(step_seconds);
}

std::string code_at(std::string_view secret, std::int64_t now, unsigned n) {
  init_once();
  char out[16] = {};
  if (oath_totp_generate(secret.data(), secret.size(), static_cast<time_t>(now), step_seconds, 0, n,
                         out) != OATH_OK)
    return {};
  return out;
}

std::optional<std::int64_t> verify(std::string_view secret, std::string_view code, std::int64_t now,
                                   std::int64_t last_used) {
  if (code.size() != digits)
    return std::nullopt;
  auto step = now / step_seconds;
  std::optional<std::int64_t> found;
  // Every candidate is computed and compared in constant time, whatever matches.
  for (std::int64_t s = step - 1; s <= step + 1; ++s) {
    auto expected = code_at(secret, s * step_seconds);
    if (expected.size() == code.size() &&
        sodium_memcmp(expected.data(), code.data(), code.size()) == 0 && s > last_used)
      found = s;
  }
  return found;
}

} // namespace crm::totp
