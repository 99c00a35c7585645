#pragma once

#include "actors/interfaces.hpp"

#include <chrono>
#include <set>
#include <string>

namespace crm {

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

  agent_id id;
  std::string status = "offline";
  int capacity = 5;
  std::vector<std::string> skills;
  std::vector<std::string> campaigns;
  std::set<std::string> open_chats;
  std::chrono::system_clock::time_point idle_since = std::chrono::system_clock::now();
  dispatcher_actor dispatcher;
  storage_actor storage;
};

/// The behaviour of an AGENT started from its stored profile.
agent_actor::behavior_type agent(agent_actor::stateful_pointer<agent_state> self,
                                 agent_profile profile, dispatcher_actor dispatcher,
                                 storage_actor storage);

/// True for the four statuses of API.md.
bool valid_agent_status(const std::string& status);

} // namespace crm
