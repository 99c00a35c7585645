#pragma once

#include "actors/chat.hpp"

#include <caf/actor_clock.hpp>
#include <caf/typed_response_promise.hpp>

#include <string>
#include <unordered_map>
#include <vector>

namespace crm {

/// State of the REGISTRY: who is who on the inbound path. Chat actors are spawned on
/// demand, from the snapshot loaded at start or from a chat row found/created in storage.
struct chat_registry_state {
  static inline const char* name = "registry";

  /// An inbound message waiting for its chat row to be found or created.
  struct waiting {
    inbound_envelope envelope;
    caf::typed_response_promise<inbound_ack> promise;
  };

  explicit chat_registry_state(actor_pointer<chat_registry_actor, chat_registry_state> self)
      : self{self} {}

  static std::string key_of(const number_id& number, const std::string& phone);

  /// Indexes a chat by id and tells the DISPATCHER when it waits for an agent.
  void remember(const std::string& key, const chat_snapshot& snapshot);

  /// Spawns (and monitors) the CHAT for a snapshot.
  chat_actor spawn_chat(const std::string& key, chat_snapshot snapshot);

  void update_gauges() const;

  /// The live or dormant CHAT of a chat id (spawning a dormant one); invalid when the chat
  /// is not open.
  chat_actor find(const std::string& chat);

  /// The CHAT of a key, live or woken from its snapshot (invalid when neither), counted as
  /// activity: everything routed to a chat goes through here.
  chat_actor live(const std::string& key);

  /// Asks the CHATs idle for peers.idle_after for their snapshot; a chat that got nothing
  /// routed meanwhile stops and becomes dormant.
  void passivate_idle();

  /// Arms the next idle sweep while there are live CHATs (none armed otherwise, so an idle
  /// registry has no timer running).
  void arm_sweep();

  /// When a live CHAT last got something routed, and how many things so far: a snapshot is
  /// taken only if nothing was routed between the question and the answer.
  struct activity {
    caf::actor_clock::time_point last;
    std::uint64_t routed = 0;
    bool asked = false;
  };

  actor_pointer<chat_registry_actor, chat_registry_state> self;
  /// What every CHAT gets (its registry is this one).
  chat_peers peers;
  /// chat id -> chat key, for decisions addressed by chat id.
  std::unordered_map<std::string, std::string> key_by_chat;
  /// Open chats loaded at start whose actor is not running yet.
  std::unordered_map<std::string, chat_snapshot> dormant;
  std::unordered_map<std::string, chat_actor> chats;
  std::unordered_map<std::string, activity> active; // key -> activity of a live chat
  bool sweep_armed = false;
  std::unordered_map<std::string, std::vector<waiting>> opening;
  /// provider + ":" + number key -> our number (found ones only: a new number is seen at once).
  std::unordered_map<std::string, number_info> numbers;
};

chat_registry_actor::behavior_type
chat_registry(actor_pointer<chat_registry_actor, chat_registry_state> self, chat_peers peers);

} // namespace crm
