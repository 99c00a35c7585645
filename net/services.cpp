#include "net/services.hpp"

namespace crm::net {

const gateway_actor& services::gateway() const {
  return gateways[next_.fetch_add(1, std::memory_order_relaxed) % gateways.size()];
}

} // namespace crm::net
