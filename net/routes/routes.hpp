#pragma once

#include "net/router.hpp"
#include "net/services.hpp"

namespace crm::net {

/// One table per module; `services` outlives the router.
route_table ops_routes(const services& s);
route_table webhook_routes(const services& s);
route_table agent_routes(const services& s);
route_table chat_routes(const services& s);
route_table number_routes(const services& s);
route_table identity_routes(const services& s);
route_table debtor_routes(const services& s);
route_table task_routes(const services& s);
route_table campaign_routes(const services& s);
route_table outreach_routes(const services& s);
route_table report_routes(const services& s);
route_table backup_routes(const services& s);
/// The API's documentation; `document` is filled once every route is known.
route_table docs_routes(const services& s, std::shared_ptr<const std::string> document);

/// Every route of the server.
router make_router(const services& s);

} // namespace crm::net
