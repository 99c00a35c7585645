#pragma once

#include "actors/interfaces.hpp"
#include "domain/routing.hpp"
#include "domain/waiting_queue.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace crm {

/// Settings of the DISPATCHER.
struct dispatcher_options {
  /// How long a chat waits for a skilled agent before any eligible agent will do.
  std::chrono::seconds skills_fallback_after{120};
  /// The wall clock (waiting times are stored as wall-clock times); tests inject theirs.
  std::function<clock_time()> now = [] {
    return std::chrono::system_clock::now();
  };
  /// Where `queue.updated` goes (supervisors); invalid: nowhere.
  ws_hub_actor hub;
  /// Queue changes within this window make one `queue.updated`.
  std::chrono::milliseconds publish_every{250};
};

/// State of the DISPATCHER: the waiting queue, what it knows of each agent, the routing
/// policy per campaign, round-robin cursors, and the offers in flight. Decisions are the
/// pure domain::select_agent; the AGENT has the last word on capacity (offer/accept).
struct dispatcher_state {
  static inline const char* name = "dispatcher";

  explicit dispatcher_state(actor_pointer<dispatcher_actor, dispatcher_state> self) : self{self} {}

  struct agent_entry {
    agent_actor handle;
    agent_candidate info;
    bool offer_in_flight = false;
  };

  /// Offers waiting chats to agents while some pair fits.
  void try_assign();

  /// The policy of a campaign (least busy for one the dispatcher has not been told about).
  routing_policy policy_of(const std::string& campaign_id) const;

  /// The chat as the strategies see it, with the campaign's required skills added.
  waiting_chat with_campaign_skills(const waiting_chat& chat) const;

  void offer(const waiting_chat& chat, agent_entry& agent);

  /// Arms a tick for the earliest skills-fallback deadline still ahead.
  void schedule_fallback_tick();

  /// The queue changed: updates the gauge and arms one `queue.updated` for the window.
  void queue_changed();

  actor_pointer<dispatcher_actor, dispatcher_state> self;
  assignment_sink_actor sink;
  dispatcher_options options;
  waiting_queue queue;
  std::unordered_map<std::string, agent_entry> agents;
  std::map<std::string, campaign_routing> campaigns;
  routing_cursor cursor;
  std::unordered_set<std::string> offering; // chat ids with an offer in flight
  bool tick_armed = false;
  bool publish_armed = false;
};

dispatcher_actor::behavior_type dispatcher(actor_pointer<dispatcher_actor, dispatcher_state> self,
                                           assignment_sink_actor sink, dispatcher_options options);

} // namespace crm
