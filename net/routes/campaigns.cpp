// Campaigns and bot flows, through the CRM WORKER (agents: only the campaigns they belong
// to, applied there). Flow definitions are checked by the bot's validator before saving.
#include "net/routes/records.hpp"
#include "net/routes/routes.hpp"

namespace crm::net {

route_table campaign_routes(const services& s) {
  return {
      {http::verb::get, "/api/v1/campaigns", "campaigns:read",
       listing(s, "campaigns.list", {"active"})},
      {http::verb::post, "/api/v1/campaigns", "campaigns:create", with_body(s, "campaigns.create")},
      {http::verb::get, "/api/v1/campaigns/{id}", "campaigns:read",
       with_body(s, "campaigns.get", true)},
      {http::verb::patch, "/api/v1/campaigns/{id}", "campaigns:update",
       with_body(s, "campaigns.update", true)},
      {http::verb::delete_, "/api/v1/campaigns/{id}", "campaigns:delete",
       with_body(s, "campaigns.delete", true)},
      {http::verb::get, "/api/v1/bot-flows", "bot:read", listing(s, "bot-flows.list", {})},
      {http::verb::post, "/api/v1/bot-flows", "bot:create", with_body(s, "bot-flows.create")},
      // Checks a definition ({definition} or the flow itself) and saves nothing.
      {http::verb::post, "/api/v1/bot-flows/validate", "bot:read",
       with_body(s, "bot-flows.validate")},
      {http::verb::get, "/api/v1/bot-flows/{id}", "bot:read", with_body(s, "bot-flows.get", true)},
      {http::verb::patch, "/api/v1/bot-flows/{id}", "bot:update",
       with_body(s, "bot-flows.update", true)},
      {http::verb::delete_, "/api/v1/bot-flows/{id}", "bot:delete",
       with_body(s, "bot-flows.delete", true)},
  };
}

} // namespace crm::net
