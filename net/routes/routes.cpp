#include "net/routes/routes.hpp"

namespace crm::net {

router make_router(const services& s) {
  router r;
  r.add(ops_routes(s));
  r.add(webhook_routes(s));
  return r;
}

} // namespace crm::net
