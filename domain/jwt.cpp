#include "domain/jwt.hpp"

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <limits>
#include <stdexcept>

namespace crm::auth {

namespace {

using nlohmann::json;

constexpr size_t sha256_size = 32;

// base64url of the one header we produce: {"alg":"HS256","typ":"JWT"}.
constexpr std::string_view header_b64 = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

// EVP_EncodeBlock/EVP_DecodeBlock take int lengths: feed them whole groups at a time.
constexpr size_t encode_chunk = 3 * 1024 * 1024; // bytes, a multiple of 3
constexpr size_t decode_chunk = 4 * 1024 * 1024; // characters, a multiple of 4

// An empty string_view may carry a null pointer; OpenSSL wants a valid one.
const unsigned char* bytes_of(std::string_view text) {
  static const unsigned char no_bytes = 0;
  return text.empty() ? &no_bytes : reinterpret_cast<const unsigned char*>(text.data());
}

std::optional<std::array<unsigned char, sha256_size>> hmac_sha256(std::string_view secret,
                                                                  std::string_view data) {
  if (secret.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
    return std::nullopt;
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_size = 0;
  if (HMAC(EVP_sha256(), bytes_of(secret), static_cast<int>(secret.size()), bytes_of(data),
           data.size(), digest.data(), &digest_size) == nullptr ||
      digest_size != sha256_size)
    return std::nullopt;
  std::array<unsigned char, sha256_size> out{};
  std::copy_n(digest.begin(), sha256_size, out.begin());
  return out;
}

bool is_base64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

caf::error reject(const char* reason) {
  return crm::make_error(ec::unauthenticated, reason);
}

caf::error malformed() {
  return reject("malformed token");
}

// A non-empty string claim, or nullopt.
std::optional<std::string> string_claim(const json& payload, std::string_view key) {
  auto it = payload.find(key);
  if (it == payload.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
    return std::nullopt;
  return it->get<std::string>();
}

// An integer claim that fits in int64 (no floats, booleans or strings), or nullopt.
std::optional<std::int64_t> integer_claim(const json& payload, std::string_view key) {
  auto it = payload.find(key);
  if (it == payload.end())
    return std::nullopt;
  if (it->is_number_unsigned()) {
    auto value = it->get<std::uint64_t>();
    if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return std::nullopt;
    return static_cast<std::int64_t>(value);
  }
  if (it->is_number_integer())
    return it->get<std::int64_t>();
  return std::nullopt;
}

} // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve(4 * ((bytes.size() + 2) / 3));
  // Room for one chunk's output plus EVP_EncodeBlock's terminating NUL.
  std::string block(4 * ((std::min(bytes.size(), encode_chunk) + 2) / 3) + 1, '\0');
  for (size_t pos = 0; pos < bytes.size(); pos += encode_chunk) {
    auto part = bytes.substr(pos, encode_chunk);
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(block.data()), bytes_of(part),
                            static_cast<int>(part.size()));
    out.append(block.data(), static_cast<size_t>(n));
  }
  while (!out.empty() && out.back() == '=')
    out.pop_back();
  for (char& c : out)
    if (c == '+')
      c = '-';
    else if (c == '/')
      c = '_';
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  // 4n+1 characters cannot come from any byte string.
  if (text.size() % 4 == 1 || !std::all_of(text.begin(), text.end(), is_base64url_char))
    return std::nullopt;
  // Back to the standard alphabet with padding, which is what EVP_DecodeBlock reads.
  std::string standard{text};
  for (char& c : standard)
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
  const size_t padding = (4 - text.size() % 4) % 4;
  standard.append(padding, '=');
  std::string out(3 * (standard.size() / 4), '\0');
  size_t written = 0;
  for (size_t pos = 0; pos < standard.size(); pos += decode_chunk) {
    auto part = std::string_view{standard}.substr(pos, decode_chunk);
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data() + written), bytes_of(part),
                            static_cast<int>(part.size()));
    if (n < 0)
      return std::nullopt;
    written += static_cast<size_t>(n);
  }
  // EVP_DecodeBlock counts each padding '=' as a decoded zero byte.
  if (written != out.size())
    return std::nullopt;
  out.resize(written - padding);
  // Only the canonical spelling is accepted: "Zh" would decode to "f" as "Zg" does, but
  // carries non-zero unused bits.
  if (base64url_encode(out) != text)
    return std::nullopt;
  return out;
}

std::string sign_jwt(const token_claims& claims, std::string_view secret) {
  const json payload = {{"sub", claims.sub},
                        {"role", claims.role},
                        {"ver", claims.ver},
                        {"iat", claims.iat},
                        {"exp", claims.exp}};
  std::string token{header_b64};
  token += '.';
  token += base64url_encode(payload.dump());
  auto signature = hmac_sha256(secret, token);
  if (!signature)
    throw std::runtime_error("HMAC-SHA256 failed");
  token += '.';
  token += base64url_encode(
      std::string_view{reinterpret_cast<const char*>(signature->data()), signature->size()});
  return token;
}

crm::expected<token_claims> verify_jwt(std::string_view token, std::string_view secret,
                                       std::int64_t now) {
  if (token.empty() || token.size() > jwt_max_size)
    return malformed();
  const auto dot1 = token.find('.');
  if (dot1 == std::string_view::npos)
    return malformed();
  const auto dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
    return malformed();
  const auto header_text = base64url_decode(token.substr(0, dot1));
  const auto payload_text = base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  const auto signature = base64url_decode(token.substr(dot2 + 1));
  if (!header_text || !payload_text || !signature)
    return malformed();

  const json header = json::parse(*header_text, nullptr, false);
  if (!header.is_object())
    return malformed();
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string())
    return malformed();
  if (alg->get_ref<const std::string&>() != "HS256")
    return reject("unsupported algorithm");
  // RFC 7515 4.1.11: extensions marked critical must be understood; we understand none.
  if (header.contains("crit"))
    return malformed();

  // Nothing verifies under an empty secret; the payload JSON is not parsed before this passes.
  const auto actual = hmac_sha256(secret, token.substr(0, dot2));
  if (secret.empty() || !actual || signature->size() != sha256_size ||
      CRYPTO_memcmp(actual->data(), signature->data(), sha256_size) != 0)
    return reject("bad signature");

  const json payload = json::parse(*payload_text, nullptr, false);
  if (!payload.is_object())
    return malformed();
  auto sub = string_claim(payload, "sub");
  auto role = string_claim(payload, "role");
  auto ver = integer_claim(payload, "ver");
  auto iat = integer_claim(payload, "iat");
  auto exp = integer_claim(payload, "exp");
  if (!sub || !role || !ver || !iat || !exp)
    return malformed();
  if (*exp <= now)
    return reject("token expired");
  // iat - now > leeway, written so that it cannot overflow.
  if (*iat > now && static_cast<std::uint64_t>(*iat) - static_cast<std::uint64_t>(now) >
                        static_cast<std::uint64_t>(jwt_iat_leeway))
    return reject("token not yet valid");
  return token_claims{std::move(*sub), std::move(*role), *ver, *iat, *exp};
}

} // namespace crm::auth
