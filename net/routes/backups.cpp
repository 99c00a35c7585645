// Backups for the super admin (the seed's backups screen): list, make one now, download.
// Served by the BACKUPS, which runs the same scripts/backup as the nightly timer.
#include "domain/permissions.hpp"
#include "net/audit.hpp"
#include "net/routes/records.hpp"
#include "net/routes/routes.hpp"

#include <caf/send.hpp>

namespace crm::net {

namespace {

void to_backups(const services& s, request_context& ctx, responder_ptr out, std::string op,
                std::string id, std::string body) {
  caf::anon_send(s.backups,
                 api_request{std::move(op), std::move(id), std::move(body), client_of(ctx)},
                 std::move(out));
}

} // namespace

route_table backup_routes(const services& s) {
  const std::string only = std::string{super_admin_only};
  return {
      {http::verb::get, "/api/v1/backups", only,
       [&s](request_context& ctx, responder_ptr out) {
         auto f = filters(ctx, out, {});
         if (!f.is_null())
           to_backups(s, ctx, std::move(out), "backups.list", "", f.dump());
       }},
      // Audited by the route table's guard, like every change.
      {http::verb::post, "/api/v1/backups", only,
       [&s](request_context& ctx, responder_ptr out) {
         to_backups(s, ctx, std::move(out), "backups.create", "", "{}");
       }},
      // A read, but of the whole database: who took a copy is audited.
      {http::verb::get, "/api/v1/backups/{name}", only,
       [&s](request_context& ctx, responder_ptr out) {
         auto entry = audit_of(ctx, "backups.download", "backups");
         entry.entity_id = ctx.params.at("name");
         to_backups(s, ctx, audited(std::move(out), s, std::move(entry)), "backups.get",
                    ctx.params.at("name"), "");
       }},
  };
}

} // namespace crm::net
