// Reports for supervisors: computed by the CRM WORKER in SQL; `?format=csv` answers CSV.
#include "net/routes/records.hpp"
#include "net/routes/routes.hpp"

namespace crm::net {

route_table report_routes(const services& s) {
  return {
      {http::verb::get, "/api/v1/reports/overview", "reports:read",
       listing(s, "reports.overview", {"format"})},
      {http::verb::get, "/api/v1/reports/agents", "reports:read",
       listing(s, "reports.agents", {"from", "to", "campaignId", "agentId", "numberId", "format"})},
      {http::verb::get, "/api/v1/reports/rankings", "reports:read",
       listing(s, "reports.rankings",
               {"from", "to", "campaignId", "agentId", "numberId", "metric", "format"})},
      {http::verb::get, "/api/v1/reports/distribution", "reports:read",
       listing(s, "reports.distribution",
               {"from", "to", "campaignId", "agentId", "numberId", "by", "format"})},
      {http::verb::get, "/api/v1/reports/trends", "reports:read",
       listing(s, "reports.trends", {"from", "to", "campaignId", "agentId", "numberId", "format"})},
  };
}

} // namespace crm::net
