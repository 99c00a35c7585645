#pragma once

#include "actors/interfaces.hpp"

#include <chrono>
#include <map>
#include <string>
#include <unordered_map>

namespace crm {

/// State of the WS_HUB: sessions by id, and the rooms they are in.
struct ws_hub_state {
  static inline const char* name = "ws_hub";
  ws_hub_state() = default;

  struct session {
    ws_user user;
    ws_sink_ptr sink;
  };

  /// True for the roles that see every chat (supervisors' room).
  static bool sees_everything(const std::string& role);

  /// How long an agent may be without any open session before it is set offline.
  std::chrono::seconds offline_grace{60};
  agent_directory agents;
  std::unordered_map<std::uint64_t, session> sessions;
  std::unordered_multimap<std::string, std::uint64_t> agent_rooms; // user id -> sessions
  std::unordered_multimap<std::string, std::uint64_t> chat_rooms;  // chat id -> sessions
};

ws_hub_actor::behavior_type ws_hub(actor_pointer<ws_hub_actor, ws_hub_state> self,
                                   std::chrono::seconds offline_grace);

} // namespace crm
