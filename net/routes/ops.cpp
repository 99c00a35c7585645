// Operations: liveness, readiness, metrics.
#include "metrics/metrics.hpp"

#include "actors/atoms.hpp"
#include "net/routes/routes.hpp"

#include <caf/send.hpp>

namespace crm::net {

route_table ops_routes(const services& s) {
  return {
      {http::verb::get, "/healthz", "none",
       [](request_context&, responder_ptr out) {
         out->ok(R"({"status":"ok"})");
       }},
      // Upgrades are taken over by the session before this runs (token checked there).
      {http::verb::get, "/ws", "none",
       [](request_context&, responder_ptr out) {
         out->reply(
             426, "application/json",
             R"({"error":{"code":"upgrade_required","message":"connect with a WebSocket: GET /ws?token=ACCESS_TOKEN"}})");
       }},
      {http::verb::get, "/readyz", "none",
       [&s](request_context&, responder_ptr out) {
         caf::anon_send(s.gateway(), atom::ready_v, std::move(out));
       }},
      {http::verb::get, "/metrics", "none",
       [](request_context&, responder_ptr out) {
         out->reply(200, "text/plain; version=0.0.4; charset=utf-8", metrics::render());
       }},
  };
}

} // namespace crm::net
