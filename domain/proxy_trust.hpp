#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crm {

/// Which reverse proxies the server believes about the client's address. Behind nginx the
/// TCP peer is the proxy; only a trusted peer's X-Forwarded-For / X-Real-IP are read, so a
/// client talking to the server directly cannot pick the address that audit rows and login
/// throttling see.
class proxy_trust {
 public:
  /// "127.0.0.1, ::1, 10.0.0.0/8": addresses or CIDR ranges, IPv4 or IPv6. Nullopt (and
  /// `why`) when an entry is neither. Empty text trusts nobody.
  static std::optional<proxy_trust> parse(std::string_view list, std::string* why = nullptr);

  bool empty() const { return ranges_.empty(); }

  /// True when `address` (text form) falls in a trusted range.
  bool trusts(std::string_view address) const;

  /// The client's address: `peer` unless it is trusted; then the rightmost entry of
  /// X-Forwarded-For that is not itself a trusted proxy, else X-Real-IP, else `peer`.
  /// An entry that is not an address ends the walk (the peer is kept).
  std::string client_of(const std::string& peer, std::string_view forwarded_for,
                        std::string_view real_ip) const;

 private:
  struct range {
    std::array<unsigned char, 16> bytes{}; // IPv4 as IPv4-mapped IPv6
    int prefix = 128;
  };
  std::vector<range> ranges_;
};

} // namespace crm
