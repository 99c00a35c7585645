#pragma once

#include "actors/transport.hpp"
#include "domain/jwt.hpp"
#include "net/beast.hpp"

#include <prometheus/histogram.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crm::net {

/// What a handler sees of one request; parsed on the I/O thread.
struct request_context {
  const request& req;
  std::string_view path;
  std::map<std::string, std::string> query;  // decoded
  std::map<std::string, std::string> params; // from {name} segments
  std::string remote_address;
  /// The verified caller, on routes that need one.
  std::optional<auth::token_claims> user;

  std::string_view header(std::string_view name) const;
  /// The query parameter, or `fallback`.
  std::string query_or(const std::string& name, const std::string& fallback = {}) const;
};

using handler = std::function<void(request_context&, responder_ptr)>;

/// One entry of a route table: the permission is readable at a glance ("none" for public).
struct route {
  http::verb verb;
  std::string pattern; // "/api/v1/chats/{id}"
  std::string permission;
  handler fn;
  /// The largest body this route takes (0: the server's http.bodyLimit), e.g. CSV imports.
  std::size_t body_limit = 0;
};

using route_table = std::vector<route>;

/// Matches requests to routes; built once at start, read-only afterwards (thread-safe).
class router {
 public:
  struct match {
    const route* found = nullptr;
    bool path_exists = false; // for 405 vs 404
    std::map<std::string, std::string> params;
  };

  void add(route_table table);
  match find(http::verb verb, std::string_view path) const;
  const std::vector<route>& routes() const { return routes_; }
  /// The largest route-specific body limit (0 when none has one).
  std::size_t largest_body() const { return largest_body_; }

 private:
  std::vector<route> routes_;
  std::vector<std::vector<std::string>> segments_;
  std::size_t largest_body_ = 0;
};

/// Splits "a=1&b=x%20y" into decoded pairs.
std::map<std::string, std::string> parse_query(std::string_view query);

/// Decodes %XX and '+'.
std::string url_decode(std::string_view s);

} // namespace crm::net
