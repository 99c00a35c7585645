#include "domain/secrets.hpp"

#include <sodium.h>

#include <stdexcept>
#include <vector>

namespace crm {

namespace {

std::string to_base64(const unsigned char* data, size_t n) {
  std::string out(sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data, n, sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.find('\0'));
  return out;
}

} // namespace

secret_box::secret_box(const std::string& key_hex) {
  if (sodium_init() < 0)
    throw std::runtime_error("libsodium failed to initialise");
  key_.resize(crypto_secretbox_KEYBYTES);
  size_t len = 0;
  if (key_hex.size() != 2 * crypto_secretbox_KEYBYTES ||
      sodium_hex2bin(reinterpret_cast<unsigned char*>(key_.data()), key_.size(), key_hex.data(),
                     key_hex.size(), nullptr, &len, nullptr) != 0 ||
      len != key_.size())
    throw std::invalid_argument("the secrets key must be 64 hex characters (32 bytes)");
}

std::string secret_box::seal(const std::string& plain) const {
  std::vector<unsigned char> out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
                                 plain.size());
  randombytes_buf(out.data(), crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(out.data() + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
                        out.data(), reinterpret_cast<const unsigned char*>(key_.data()));
  return to_base64(out.data(), out.size());
}

expected<std::string> secret_box::open(const std::string& sealed) const {
  std::vector<unsigned char> raw(sealed.size());
  size_t len = 0;
  if (sodium_base642bin(raw.data(), raw.size(), sealed.data(), sealed.size(), nullptr, &len,
                        nullptr, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
    return make_error(ec::invalid_config, "sealed secret is malformed");
  std::string plain(len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 raw.data() + crypto_secretbox_NONCEBYTES,
                                 len - crypto_secretbox_NONCEBYTES, raw.data(),
                                 reinterpret_cast<const unsigned char*>(key_.data())) != 0)
    return make_error(ec::invalid_config, "sealed secret does not open with this key");
  return plain;
}

bool same_secret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace crm
