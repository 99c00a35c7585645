#pragma once

#include "actors/interfaces.hpp"

#include <chrono>

namespace crm {

/// What the SCHEDULER works with.
struct scheduler_peers {
  crm_worker_actor worker;
  ws_hub_actor hub;
  /// Outbound campaign sends open their chats through the REGISTRY.
  chat_registry_actor registry;
  std::chrono::seconds tick{15};
  int lead_minutes = 10;                  // reminders go this long before a task is due
  std::chrono::seconds stats_interval{5}; // supervisors' live overview
};

/// State of the SCHEDULER.
struct scheduler_state {
  static inline const char* name = "scheduler";
  scheduler_state() = default;
  scheduler_peers peers;
};

/// The behaviour of the SCHEDULER; ticks from the start.
scheduler_actor::behavior_type scheduler(actor_pointer<scheduler_actor, scheduler_state> self,
                                         scheduler_peers peers);

} // namespace crm
