#pragma once

#include "actors/interfaces.hpp"
#include "bot_flows/engine.hpp"
#include "domain/contact_rules.hpp"

#include <caf/actor_addr.hpp>
#include <caf/typed_response_promise.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace crm {

/// Whom a CHAT talks to. Handles left invalid are simply not used (tests leave out what
/// they do not watch).
struct chat_peers {
  storage_actor storage;
  ws_hub_actor hub;
  dispatcher_actor dispatcher;
  /// The REGISTRY, weakly: it holds its CHATs, so a strong handle back would keep both alive.
  caf::actor_addr registry;
  agent_directory agents;
  number_pool_actor numbers;
  /// The CRM WORKER: the bot's flow, variables, session and actions; opt-outs.
  crm_worker_actor crm;
  /// The contact rules' phrases (opt-out); null: none recognised.
  std::shared_ptr<const contact::settings> contact;
  /// A chat nobody wrote to or acted on for this long is passivated by the REGISTRY: its
  /// actor stops and its snapshot waits for the next event.
  std::chrono::seconds idle_after{600};
  /// The wall clock (reply and assignment times are wall-clock times); tests inject theirs.
  std::function<std::chrono::system_clock::time_point()> now = [] {
    return std::chrono::system_clock::now();
  };

  /// now() in unix milliseconds.
  std::int64_t now_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(now().time_since_epoch()).count();
  }
};

/// Where the chat's bot stands: the flow and variables (loaded on first need), the session,
/// and the events waiting while effects are carried out.
struct bot_runtime {
  bool loaded = false;
  bool loading = false;
  bool busy = false;
  nlohmann::json flow;
  nlohmann::json context;
  bot::session session;
  std::deque<bot::event> pending;
};

/// State of one CHAT actor: everything that happens to one conversation passes its mailbox.
/// Changes of holder (dispatcher decisions, assign, transfer, re-queue, close) wait for
/// their write before the next message is taken (`await`), so they apply in order.
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

  /// Pushes an event to `agent` (the chat's agent when empty) and, when asked, to the
  /// supervisors and the sessions watching the chat.
  void publish(const char* name, const nlohmann::json& data, const std::string& agent = {},
               bool supervisors = true, bool watchers = true) const;

  /// The chat as events describe it.
  nlohmann::json summary() const;

  /// Tells an AGENT the chat left it (capacity comes back).
  void release(chat_actor::pointer self, const std::string& agent) const;

  /// A DISPATCHER decision not yet durable is dropped in favour of a person's decision.
  void supersede_unsaved(chat_actor::pointer self);

  /// Puts the chat back in the DISPATCHER's queue (after the write said so).
  void back_to_queue(chat_actor::pointer self, std::vector<std::string> skills = {});

  /// Pushes a message's new status to the chat's agent and supervisors.
  void publish_status(const message_status_changed& c) const;

  /// The user may act on this chat: agents only on their own.
  bool visible_to(const chat_command& cmd) const;

  chat_snapshot conversation;
  chat_peers peers;
  std::optional<chat_assigned> unsaved_assignment;
  std::unordered_map<std::string, inbound_ack> recent;
  std::deque<std::string> recent_order;
  /// Re-deliveries that arrive while the first copy is being committed wait here.
  std::unordered_map<std::string, std::vector<caf::typed_response_promise<inbound_ack>>> in_flight;
  bot_runtime bot;
  bool closed = false;
  /// Before this time a waiting debtor's message does not ask for the business hours again:
  /// 12 h after telling them the team is out, a few minutes after finding it open.
  std::int64_t after_hours_next_ms = 0;
};

/// The behaviour of a CHAT started from its stored snapshot.
chat_actor::behavior_type chat(actor_pointer<chat_actor, chat_state> self, chat_snapshot snapshot,
                               chat_peers peers);

/// The `message.new` payload of an inbound message (its id is added once stored).
nlohmann::json message_event(const chat_snapshot& chat, const inbound_message& m);

} // namespace crm
