#pragma once

#include "actors/interfaces.hpp"
#include "domain/secrets.hpp"

#include <memory>
#include <string>
#include <unordered_map>

namespace crm {

/// What a GATEWAY talks to.
struct gateway_peers {
  chat_registry_actor registry;
  storage_actor storage;
  redis_actor redis; // invalid handle when Redis is not configured
  dispatcher_actor dispatcher;
  number_pool_actor numbers;
  identity_worker_actor identity_worker;
  identity_actor identity;
  crm_worker_actor crm_worker;
  /// Opens the sealed token a WPPConnect webhook is checked against.
  std::shared_ptr<const secret_box> secrets;
  /// user id -> AGENT (grows as agents are created).
  std::shared_ptr<agent_book> agents;
};

/// State of a GATEWAY: stateless beyond its peers; several run side by side.
struct gateway_state {
  static inline const char* name = "gateway";
  gateway_state() = default;
  gateway_peers peers;
};

/// The behaviour of a GATEWAY: the HTTP-facing request dispatcher.
gateway_actor::behavior_type gateway(actor_pointer<gateway_actor, gateway_state> self,
                                     gateway_peers peers);

} // namespace crm
