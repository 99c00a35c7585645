// Tasks: follow-ups with a due time; agents see and change only their own (applied by the
// CRM WORKER), and reminders reach the assignee's WebSocket (the SCHEDULER).
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
  };
}

} // namespace crm::net
