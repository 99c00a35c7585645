#include "domain/password.hpp"

#include <sodium.h>

#include <stdexcept>

namespace crm {

std::string hash_password(std::string_view password) {
  if (sodium_init() < 0)
    throw std::runtime_error("libsodium cannot initialise");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    throw std::runtime_error("argon2id hashing ran out of memory");
  return out;
}

bool verify_password(std::string_view password, const std::string& hash) {
  if (sodium_init() < 0)
    return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::optional<std::string> password_policy_violation(std::string_view password) {
  if (password.size() < 10)
    return "must be at least 10 characters";
  if (password.size() > 256)
    return "must be at most 256 characters";
  return std::nullopt;
}

} // namespace crm
