#include "domain/proxy_trust.hpp"

#include <arpa/inet.h>
#include <charconv>
#include <cstring>

namespace crm {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

/// The address as 16 bytes (IPv4 mapped into IPv6, so "::ffff:1.2.3.4" and "1.2.3.4" are
/// one address), and whether it was written as IPv4.
std::optional<std::pair<std::array<unsigned char, 16>, bool>> parse_address(std::string_view s) {
  std::string text{trim(s)};
  if (text.size() > 2 && text.front() == '[' && text.back() == ']') // "[::1]"
    text = text.substr(1, text.size() - 2);
  std::array<unsigned char, 16> bytes{};
  if (::inet_pton(AF_INET, text.c_str(), bytes.data() + 12) == 1) {
    bytes[10] = bytes[11] = 0xff;
    return std::pair{bytes, true};
  }
  if (::inet_pton(AF_INET6, text.c_str(), bytes.data()) == 1)
    return std::pair{bytes, false};
  return std::nullopt;
}

bool in_range(const std::array<unsigned char, 16>& a, const std::array<unsigned char, 16>& net,
              int prefix) {
  int full = prefix / 8, rest = prefix % 8;
  if (std::memcmp(a.data(), net.data(), full) != 0)
    return false;
  if (rest == 0)
    return true;
  auto mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (a[full] & mask) == (net[full] & mask);
}

} // namespace

std::optional<proxy_trust> proxy_trust::parse(std::string_view list, std::string* why) {
  proxy_trust result;
  while (!list.empty()) {
    auto comma = list.find(',');
    auto entry = trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (entry.empty())
      continue;
    auto slash = entry.find('/');
    auto address = parse_address(entry.substr(0, slash));
    range r;
    bool ok = address.has_value();
    if (ok) {
      r.bytes = address->first;
      r.prefix = address->second ? 32 : 128;
      if (slash != std::string_view::npos) {
        auto bits = entry.substr(slash + 1);
        int n = -1;
        auto [end, err] = std::from_chars(bits.data(), bits.data() + bits.size(), n);
        ok = err == std::errc{} && end == bits.data() + bits.size() && n >= 0 && n <= r.prefix;
        r.prefix = n;
      }
      if (address->second)
        r.prefix += 96;
    }
    if (!ok) {
      if (why)
        *why = "'" + std::string{entry} + "' is not an IP address or CIDR range";
      return std::nullopt;
    }
    result.ranges_.push_back(r);
  }
  return result;
}

bool proxy_trust::trusts(std::string_view address) const {
  auto a = parse_address(address);
  if (!a)
    return false;
  for (auto& r : ranges_)
    if (in_range(a->first, r.bytes, r.prefix))
      return true;
  return false;
}

std::string proxy_trust::client_of(const std::string& peer, std::string_view forwarded_for,
                                   std::string_view real_ip) const {
  if (ranges_.empty() || !trusts(peer))
    return peer;
  while (!forwarded_for.empty()) {
    auto comma = forwarded_for.rfind(',');
    auto entry =
        trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for =
        comma == std::string_view::npos ? std::string_view{} : forwarded_for.substr(0, comma);
    if (!parse_address(entry))
      return peer;
    if (!trusts(entry))
      return std::string{entry};
  }
  if (auto real = trim(real_ip); !real.empty() && parse_address(real) && !trusts(real))
    return std::string{real};
  return peer;
}

} // namespace crm
