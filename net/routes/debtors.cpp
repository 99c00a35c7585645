// Debtors: CRUD, CSV import and export, through the CRM WORKER (agents: only the debtors of
// their own chats, applied there).
#include "net/http_error.hpp"
#include "net/routes/records.hpp"
#include "net/routes/routes.hpp"

namespace crm::net {

route_table debtor_routes(const services& s) {
  return {
      {http::verb::get, "/api/v1/debtors", "debtors:read",
       listing(s, "debtors.list", {"q", "status", "priority", "tag", "agentId"})},
      // Before /debtors/{id}: the first matching pattern wins.
      {http::verb::get, "/api/v1/debtors/export", "debtors:read",
       listing(s, "debtors.export", {"q", "status", "priority", "tag", "agentId"})},
      {http::verb::post, "/api/v1/debtors/import", "debtors:create",
       [&s](request_context& ctx, responder_ptr out) {
         auto type = ctx.header("Content-Type");
         if (type.substr(0, 8) != "text/csv")
           return out->reply(
               400, "application/json",
               error_body("invalid_input", "send the file as Content-Type: text/csv (UTF-8)"));
         send(s, ctx, std::move(out), "debtors.import", {}, std::string{ctx.req.body()});
       },
       // 100,000 rows of a dozen columns.
       32 * 1024 * 1024},
      {http::verb::post, "/api/v1/debtors", "debtors:create", with_body(s, "debtors.create")},
      {http::verb::get, "/api/v1/debtors/{id}", "debtors:read", with_body(s, "debtors.get", true)},
      {http::verb::patch, "/api/v1/debtors/{id}", "debtors:update",
       with_body(s, "debtors.update", true)},
      {http::verb::delete_, "/api/v1/debtors/{id}", "debtors:delete",
       with_body(s, "debtors.delete", true)},
      // Promises and payments change the account: debtors:update.
      {http::verb::get, "/api/v1/debtors/{id}/promises", "debtors:read",
       with_body(s, "debtors.promises.list", true)},
      {http::verb::post, "/api/v1/debtors/{id}/promises", "debtors:update",
       with_body(s, "debtors.promises.create", true)},
      {http::verb::get, "/api/v1/debtors/{id}/payments", "debtors:read",
       with_body(s, "debtors.payments.list", true)},
      {http::verb::post, "/api/v1/debtors/{id}/payments", "debtors:update",
       with_body(s, "debtors.payments.create", true)},
      {http::verb::get, "/api/v1/debtors/{id}/notes", "debtors:read",
       [&s](request_context& ctx, responder_ptr out) {
         auto f = filters(ctx, out, {});
         if (!f.is_null())
           send(s, ctx, std::move(out), "debtors.notes.list", ctx.params.at("id"), f.dump());
       }},
      {http::verb::post, "/api/v1/debtors/{id}/notes", "debtors:update",
       with_body(s, "debtors.notes.create", true)},
      // Habeas data (Ley 1581 de 2012), both audited by the CRM WORKER. Agents do not export
      // (answered there: 403 on their own debtors, 404 on others).
      {http::verb::get, "/api/v1/debtors/{id}/export", "debtors:read",
       with_body(s, "debtors.privacy.export", true)},
      {http::verb::post, "/api/v1/debtors/{id}/erase", "debtors:delete",
       with_body(s, "debtors.privacy.erase", true)},
  };
}

} // namespace crm::net
