#pragma once

#include "actors/interfaces.hpp"
#include "domain/access.hpp"

#include <functional>
#include <memory>
#include <set>
#include <string>

namespace crm {

/// What the IDENTITY works with.
struct identity_peers {
  identity_worker_actor worker;
  ws_hub_actor hub;
  std::shared_ptr<access_slot> slot;
  /// Agents follow user management: new agents get an AGENT, changed ones an update.
  storage_actor storage;
  std::shared_ptr<agent_book> agents;
  std::function<agent_actor(agent_profile)> spawn_agent; // empty: agents fixed
  /// Campaigns' routing (strategy, skills) follows campaign management.
  dispatcher_actor dispatcher;
};

/// State of the IDENTITY: where the access table is published and which agents are active.
struct identity_state {
  static inline const char* name = "identity";
  identity_state() = default;
  identity_peers peers;
  std::set<std::string> active_agents;
};

/// The behaviour of the IDENTITY.
identity_actor::behavior_type identity(actor_pointer<identity_actor, identity_state> self,
                                       identity_peers peers);

/// The access table of a set of rows.
access_table access_table_of(const access_rows& rows);

} // namespace crm
