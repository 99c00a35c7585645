#pragma once

#include "actors/interfaces.hpp"

#include <caf/typed_response_promise.hpp>
#include <nlohmann/json.hpp>

#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace crm {

/// State of one CHAT actor: everything that happens to one conversation passes its mailbox.
struct chat_state {
  static inline const char* name = "chat";
  chat_state() = default;

  /// How many recent provider ids a chat remembers (storage dedupes beyond that too).
  static constexpr size_t recent_capacity = 256;

  /// The ack already given for a provider id, if it is recent.
  const inbound_ack* known(const std::string& provider_id) const;

  /// Remembers a durable message (bounded) and applies it to the conversation.
  void apply(const std::string& provider_id, const inbound_ack& ack);

  /// Makes the DISPATCHER's decision durable; retried every second until it is (the agent
  /// already counts the chat, so the decision must not be lost to a database hiccup).
  void persist_assignment(chat_actor::pointer self);

  /// Pushes an event to the chat's agent and the supervisors.
  void publish(const char* name, const nlohmann::json& data) const;

  chat_snapshot conversation;
  storage_actor storage;
  ws_hub_actor hub; // invalid in tests that do not watch events
  std::optional<chat_assigned> unsaved_assignment;
  std::unordered_map<std::string, inbound_ack> recent;
  std::deque<std::string> recent_order;
  /// Re-deliveries that arrive while the first copy is being committed wait here.
  std::unordered_map<std::string, std::vector<caf::typed_response_promise<inbound_ack>>> in_flight;
};

/// The behaviour of a CHAT started from its stored snapshot.
chat_actor::behavior_type chat(chat_actor::stateful_pointer<chat_state> self,
                               chat_snapshot snapshot, storage_actor storage, ws_hub_actor hub);

/// The `message.new` payload of an inbound message (its id is added once stored).
nlohmann::json message_event(const chat_snapshot& chat, const inbound_message& m);

} // namespace crm
