#include "net/routes/routes.hpp"

#include "domain/permissions.hpp"
#include "net/http_error.hpp"

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

/// Every route that names a permission gets the token check and the role check first.
route guarded(route r, const services& s) {
  if (r.permission == "none")
    return r;
  r.fn = [&s, permission = r.permission, next = std::move(r.fn)](request_context& ctx,
                                                                 responder_ptr out) {
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
    if (permission != "authenticated" && !role_has(claims->role, permission))
      return out->reply(403, "application/json",
                        error_body("forbidden", "this role lacks " + permission));
    ctx.user = std::move(*claims);
    next(ctx, std::move(out));
  };
  return r;
}

} // namespace

router make_router(const services& s) {
  router r;
  for (auto table :
       {ops_routes(s), webhook_routes(s), agent_routes(s), chat_routes(s), number_routes(s)}) {
    route_table checked;
    for (auto& entry : table)
      checked.push_back(guarded(std::move(entry), s));
    r.add(std::move(checked));
  }
  return r;
}

} // namespace crm::net
