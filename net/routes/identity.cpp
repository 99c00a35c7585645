// Identity: sessions (login, refresh, logout, 2FA), users, roles and permissions, and the
// audit log. The IDENTITY WORKER does the work; here bodies are checked to be JSON objects
// and query filters are read and checked.
#include "domain/permissions.hpp"
#include "net/chat_input.hpp"
#include "net/http_error.hpp"
#include "net/routes/records.hpp"
#include "net/routes/routes.hpp"

#include <caf/send.hpp>
#include <nlohmann/json.hpp>

#include <charconv>
#include <regex>

namespace crm::net {

using json = nlohmann::json;

route_table identity_routes(const services& s) {
  return {
      // -- sessions --
      {http::verb::post, "/api/v1/auth/login", "none", with_body(s, "login")},
      {http::verb::post, "/api/v1/auth/refresh", "none", with_body(s, "refresh")},
      {http::verb::post, "/api/v1/auth/logout", "authenticated", with_body(s, "logout")},
      {http::verb::get, "/api/v1/auth/me", "authenticated", with_body(s, "me")},
      {http::verb::post, "/api/v1/auth/2fa/setup", "authenticated", with_body(s, "2fa.setup")},
      {http::verb::post, "/api/v1/auth/2fa/enable", "authenticated", with_body(s, "2fa.enable")},
      {http::verb::post, "/api/v1/auth/2fa/disable", "authenticated", with_body(s, "2fa.disable")},
      // -- users --
      {http::verb::get, "/api/v1/users", "users:read",
       listing(s, "users.list", {"role", "status", "active"})},
      {http::verb::post, "/api/v1/users", "users:create", with_body(s, "users.create")},
      {http::verb::get, "/api/v1/users/{id}", "users:read", with_body(s, "users.get", true)},
      {http::verb::patch, "/api/v1/users/{id}", "users:update", with_body(s, "users.update", true)},
      {http::verb::delete_, "/api/v1/users/{id}", "users:delete",
       with_body(s, "users.delete", true)},
      // -- roles and permissions --
      {http::verb::get, "/api/v1/roles", "roles:read", with_body(s, "roles.list")},
      {http::verb::post, "/api/v1/roles", "roles:create", with_body(s, "roles.create")},
      {http::verb::patch, "/api/v1/roles/{id}", "roles:update", with_body(s, "roles.update", true)},
      {http::verb::delete_, "/api/v1/roles/{id}", "roles:delete",
       with_body(s, "roles.delete", true)},
      {http::verb::get, "/api/v1/permissions", "roles:read",
       [](request_context&, responder_ptr out) {
         json items = json::array();
         for (auto& p : all_permissions())
           items.push_back({{"name", p},
                            {"module", p.substr(0, p.find(':'))},
                            {"action", p.substr(p.find(':') + 1)}});
         auto total = items.size();
         out->ok(json{{"items", std::move(items)}, {"total", total}, {"page", 1}, {"limit", total}}
                     .dump());
       }},
      // -- audit (read only: nothing in the API changes it) --
      {http::verb::get, "/api/v1/audit", "audit:read",
       listing(s, "audit.list", {"user", "action", "entity", "from", "to"})},
      {http::verb::get, "/api/v1/audit/verify", "audit:read", with_body(s, "audit.verify")},
  };
}

} // namespace crm::net
