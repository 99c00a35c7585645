#pragma once

#include "domain/error.hpp"

#include <string>

namespace crm {

/// Provider credentials at rest: XSalsa20-Poly1305 (libsodium secretbox) under a 32-byte
/// key from configuration. The sealed form is base64 of nonce || ciphertext.
class secret_box {
 public:
  /// `key_hex`: 64 hex characters. Throws std::invalid_argument otherwise.
  explicit secret_box(const std::string& key_hex);

  std::string seal(const std::string& plain) const;

  /// The plain text, or ec::invalid_config when the box was sealed under another key.
  expected<std::string> open(const std::string& sealed) const;

 private:
  std::string key_;
};

/// Compares two secrets in constant time (for tokens presented by callers).
bool same_secret(const std::string& a, const std::string& b);

} // namespace crm
