#pragma once

#include "actors/interfaces.hpp"

#include <atomic>
#include <string>
#include <vector>

namespace crm::net {

/// What the route tables need from the rest of the server (handed in by server/).
struct services {
  std::vector<gateway_actor> gateways;
  ws_hub_actor hub;
  std::string meta_verify_token;
  std::string meta_app_secret;
  std::string jwt_secret;

  /// Picks a gateway for a request, spreading the load.
  const gateway_actor& gateway() const;

 private:
  mutable std::atomic<size_t> next_{0};
};

} // namespace crm::net
