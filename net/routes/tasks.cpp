// Tasks and quick replies. Tasks: follow-ups with a due time; agents see and change only their own
// (applied by the CRM WORKER), and reminders reach the assignee's WebSocket (the SCHEDULER).
#include "net/routes/records.hpp"
#include "net/routes/routes.hpp"

namespace crm::net {

route_table task_routes(const services& s) {
  return {
      {http::verb::get, "/api/v1/tasks", "tasks:read",
       listing(s, "tasks.list", {"status", "agentId"})},
      {http::verb::post, "/api/v1/tasks", "tasks:create", with_body(s, "tasks.create")},
      {http::verb::patch, "/api/v1/tasks/{id}", "tasks:update", with_body(s, "tasks.update", true)},
      {http::verb::delete_, "/api/v1/tasks/{id}", "tasks:delete",
       with_body(s, "tasks.delete", true)},
      // Quick replies belong to the bot module: agents read them, supervisors write them.
      {http::verb::get, "/api/v1/quick-replies", "bot:read",
       listing(s, "quick-replies.list", {"campaignId"})},
      {http::verb::post, "/api/v1/quick-replies", "bot:create",
       with_body(s, "quick-replies.create")},
      {http::verb::patch, "/api/v1/quick-replies/{id}", "bot:update",
       with_body(s, "quick-replies.update", true)},
      {http::verb::delete_, "/api/v1/quick-replies/{id}", "bot:delete",
       with_body(s, "quick-replies.delete", true)},
      {http::verb::get, "/api/v1/quick-replies/{id}/render", "bot:read",
       [&s](request_context& ctx, responder_ptr out) {
         auto f = filters(ctx, out, {"debtorId"});
         if (!f.is_null())
           send(s, ctx, std::move(out), "quick-replies.render", ctx.params.at("id"), f.dump());
       }},
  };
}

} // namespace crm::net
