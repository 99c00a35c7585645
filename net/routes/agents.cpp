// Agents' status and the waiting queue.
#include "actors/atoms.hpp"
#include "net/http_error.hpp"
#include "net/routes/routes.hpp"

#include <caf/send.hpp>
#include <nlohmann/json.hpp>

namespace crm::net {

namespace {

/// Reads {"status": "..."}; answers 400 itself and returns nullopt when the body is wrong.
std::optional<std::string> status_of_body(request_context& ctx, const responder_ptr& out) {
  auto body = nlohmann::json::parse(ctx.req.body(), nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("status") ||
      !body["status"].is_string()) {
    out->reply(400, "application/json",
               error_body("invalid_input",
                          "body must be {\"status\": \"available\"|\"busy\"|"
                          "\"break\"|\"offline\"}",
                          {{"field", "status"}}));
    return std::nullopt;
  }
  return body["status"].get<std::string>();
}

void change_status(const services& s, request_context& ctx, responder_ptr out,
                   const std::string& user_id) {
  auto status = status_of_body(ctx, out);
  if (!status)
    return;
  caf::anon_send(s.gateway(), user_status_request{user_id, *status}, std::move(out));
}

} // namespace

route_table agent_routes(const services& s) {
  return {
      {http::verb::patch, "/api/v1/users/me/status", "authenticated",
       [&s](request_context& ctx, responder_ptr out) {
         change_status(s, ctx, std::move(out), ctx.user->sub);
       }},
      {http::verb::patch, "/api/v1/users/{id}/status", "users:update",
       [&s](request_context& ctx, responder_ptr out) {
         change_status(s, ctx, std::move(out), ctx.params.at("id"));
       }},
      {http::verb::get, "/api/v1/queue", "queue:read",
       [&s](request_context&, responder_ptr out) {
         caf::anon_send(s.gateway(), atom::queue_v, std::move(out));
       }},
  };
}

} // namespace crm::net
