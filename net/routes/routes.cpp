#include "net/routes/routes.hpp"

#include "domain/permissions.hpp"
#include "net/audit.hpp"
#include "net/http_error.hpp"
#include "net/openapi.hpp"

#include <caf/send.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <chrono>

namespace crm::net {

namespace {

/// The bearer token of a request: the Authorization header, or ?token= (WebSocket upgrades,
/// where browsers cannot set headers).
std::string_view bearer_of(const request_context& ctx) {
  auto header = ctx.header("Authorization");
  constexpr std::string_view prefix = "Bearer ";
  if (header.size() > prefix.size() && header.substr(0, prefix.size()) == prefix)
    return header.substr(prefix.size());
  auto it = ctx.query.find("token");
  return it == ctx.query.end() ? std::string_view{} : std::string_view{it->second};
}

/// Every route that names a permission gets the token check (signature, expiry, and the
/// access table: user active, token version current), the role check, and, when it changes
/// something, its audit row.
route guarded(route r, const services& s) {
  if (r.permission == "none")
    return r;
  auto entity = entity_of(r);
  auto mutating = r.verb != http::verb::get && r.verb != http::verb::head;
  // Auth events and changes to users and roles are audited by the IDENTITY WORKER, in the
  // transaction that makes them (with the fields' values before and after).
  auto self_audited = r.pattern.rfind("/api/v1/auth/", 0) == 0 || r.pattern == "/api/v1/users" ||
                      r.pattern == "/api/v1/users/{id}" || r.pattern.rfind("/api/v1/roles", 0) == 0;
  auto action = std::string{http::to_string(r.verb)} + " " + r.pattern;
  r.fn = [&s, permission = r.permission, entity, mutating, self_audited, action,
          next = std::move(r.fn)](request_context& ctx, responder_ptr out) {
    auto token = bearer_of(ctx);
    if (token.empty())
      return out->reply(401, "application/json",
                        error_body("unauthenticated", "a bearer token is required"));
    auto now = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    auto claims = auth::verify_jwt(token, s.jwt_secret, now);
    if (!claims)
      return out->reply(401, "application/json",
                        error_body("unauthenticated", message_of(claims.error())));
    auto table = s.access->get();
    if (auto why = table->refusal(claims->sub, claims->role, claims->ver); !why.empty())
      return out->reply(401, "application/json", error_body("unauthenticated", why));
    ctx.user = std::move(*claims);
    if (permission != "authenticated" && !table->allows(ctx.user->role, permission)) {
      auto denial = audit_of(ctx, "permission.denied", entity);
      denial.after = nlohmann::json{{"permission", permission}, {"route", action}}.dump();
      caf::anon_send(s.storage, std::move(denial));
      return out->reply(403, "application/json",
                        error_body("forbidden", "this role lacks " + permission));
    }
    if (mutating && !self_audited) {
      auto entry = audit_of(ctx, action, entity);
      auto body = nlohmann::json::parse(ctx.req.body(), nullptr, false);
      if (!body.is_discarded() && ctx.req.body().size() <= 16 * 1024)
        entry.after = redacted(body).dump();
      else if (!ctx.req.body().empty())
        entry.after = nlohmann::json{{"bytes", ctx.req.body().size()}}.dump();
      out = audited(std::move(out), s, std::move(entry));
    }
    next(ctx, std::move(out));
  };
  return r;
}

} // namespace

router make_router(const services& s) {
  router r;
  for (auto table : {ops_routes(s), webhook_routes(s), agent_routes(s), chat_routes(s),
                     number_routes(s), identity_routes(s), debtor_routes(s), task_routes(s),
                     campaign_routes(s), outreach_routes(s), report_routes(s), backup_routes(s)}) {
    route_table checked;
    for (auto& entry : table)
      checked.push_back(guarded(std::move(entry), s));
    r.add(std::move(checked));
  }
  auto document = std::make_shared<std::string>();
  r.add(docs_routes(s, document));
  try {
    *document = openapi_document(r.routes()).dump();
  } catch (const std::exception& e) { // a fragment that is not JSON: a build-time mistake
    spdlog::error("the OpenAPI document could not be built: {}", e.what());
    document->clear(); // answered 500
  }
  return r;
}

} // namespace crm::net
