#pragma once

#include "actors/interfaces.hpp"

#include <chrono>
#include <set>
#include <string>

namespace crm {

/// Whom an AGENT talks to (the REGISTRY arrives by message: it is spawned after).
struct agent_peers {
  dispatcher_actor dispatcher;
  storage_actor storage;
  ws_hub_actor hub; // invalid in tests that do not watch events
  /// Away (break, offline), chats with no reply of the agent's for this long go back to
  /// the queue; zero keeps them with the agent.
  std::chrono::milliseconds requeue_after{0};
};

/// State of one AGENT: status, capacity, skills, campaigns and the chats it holds.
struct agent_state {
  static inline const char* name = "agent";
  agent_state() = default;

  /// True when the agent takes `offer` now (and then holds it).
  bool accepts(const chat_offer& offer) const;

  /// What the DISPATCHER needs to know, as of now.
  agent_load load() const;

  /// Sends load() to the DISPATCHER.
  void publish(agent_actor::pointer self) const;

  /// Break and offline: the agent is not working its chats.
  bool away() const { return status == "break" || status == "offline"; }

  /// Asks each held chat to go back to the queue if the agent has left it unanswered too
  /// long, and arms the next look for the earliest one that is not yet.
  void check_away_chats(actor_pointer<agent_actor, agent_state> self);

  agent_id id;
  std::string status = "offline";
  int capacity = 5;
  std::vector<std::string> skills;
  std::vector<std::string> campaigns;
  std::set<std::string> open_chats;
  std::chrono::system_clock::time_point idle_since = std::chrono::system_clock::now();
  agent_peers peers;
  chat_registry_actor registry;
  bool away_check_armed = false;
};

/// The behaviour of an AGENT started from its stored profile.
agent_actor::behavior_type agent(actor_pointer<agent_actor, agent_state> self,
                                 agent_profile profile, agent_peers peers);

/// True for the four statuses of API.md.
bool valid_agent_status(const std::string& status);

} // namespace crm
