#pragma once

#include "actors/interfaces.hpp"
#include "domain/access.hpp"

#include <memory>

namespace crm {

/// State of the IDENTITY: the access table in force and where it is published.
struct identity_state {
  static inline const char* name = "identity";
  identity_state() = default;
  identity_worker_actor worker;
  ws_hub_actor hub;
  std::shared_ptr<access_slot> slot;
};

/// The behaviour of the IDENTITY; loads the first table at once.
identity_actor::behavior_type identity(identity_actor::stateful_pointer<identity_state> self,
                                       identity_worker_actor worker, ws_hub_actor hub,
                                       std::shared_ptr<access_slot> slot);

/// The access table of a set of rows.
access_table access_table_of(const access_rows& rows);

} // namespace crm
