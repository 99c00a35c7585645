// Identity: sessions (login, refresh, logout, 2FA), users, roles and permissions, and the
// audit log. The IDENTITY WORKER does the work; here bodies are checked to be JSON objects
// and query filters are read and checked.
#include "domain/permissions.hpp"
#include "net/chat_input.hpp"
#include "net/http_error.hpp"
#include "net/routes/routes.hpp"

#include <caf/send.hpp>
#include <nlohmann/json.hpp>

#include <charconv>
#include <regex>

namespace crm::net {

namespace {

using json = nlohmann::json;

client_info client_of(const request_context& ctx) {
  client_info by;
  if (ctx.user) {
    by.user_id = ctx.user->sub;
    by.role = ctx.user->role;
  }
  by.ip = ctx.remote_address;
  by.user_agent = std::string{ctx.header("User-Agent")}.substr(0, 300);
  return by;
}

void send(const services& s, request_context& ctx, responder_ptr out, std::string op,
          std::string id, std::string body) {
  caf::anon_send(s.gateway(),
                 identity_request{std::move(op), std::move(id), std::move(body), client_of(ctx)},
                 std::move(out));
}

/// Forwards an operation whose body must be a JSON object (an empty body is `{}`).
handler with_body(const services& s, std::string op, bool takes_id = false) {
  return [&s, op, takes_id](request_context& ctx, responder_ptr out) {
    const auto& raw = ctx.req.body();
    auto body = raw.empty() ? json::object() : json::parse(raw, nullptr, false);
    if (!body.is_object())
      return out->reply(400, "application/json",
                        error_body("invalid_input", "the body must be a JSON object"));
    send(s, ctx, std::move(out), op, takes_id ? ctx.params.at("id") : std::string{}, body.dump());
  };
}

/// Reads page/limit and the named text filters from the query into a JSON object; answers
/// 400 itself (and returns null) when one is wrong.
json filters(const request_context& ctx, const responder_ptr& out,
             const std::vector<const char*>& names) {
  json f = json::object();
  for (auto key : {"page", "limit"}) {
    auto text = ctx.query_or(key);
    if (text.empty())
      continue;
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    auto max = std::string{key} == "page" ? 1000000 : 200;
    if (ec != std::errc{} || p != text.data() + text.size() || n < 1 || n > max) {
      out->reply(400, "application/json",
                 error_body("invalid_input", "page must be >= 1 and limit between 1 and 200",
                            {{"field", key}}));
      return nullptr;
    }
    f[key] = n;
  }
  static const std::regex iso{
      R"(^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$)"};
  for (auto name : names) {
    auto value = ctx.query_or(name);
    if (value.empty())
      continue;
    std::string field{name};
    bool ok = value.size() <= 200;
    if (field == "user")
      ok = is_uuid(value);
    else if (field == "from" || field == "to")
      ok = std::regex_match(value, iso);
    else if (field == "active")
      ok = value == "true" || value == "false";
    if (!ok) {
      out->reply(400, "application/json",
                 error_body("invalid_input", "invalid filter " + field, {{"field", field}}));
      return nullptr;
    }
    f[field] = value;
  }
  return f;
}

handler listing(const services& s, std::string op, std::vector<const char*> names) {
  return [&s, op, names](request_context& ctx, responder_ptr out) {
    auto f = filters(ctx, out, names);
    if (f.is_null())
      return;
    send(s, ctx, std::move(out), op, {}, f.dump());
  };
}

} // namespace

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
