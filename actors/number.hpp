#pragma once

#include "actors/interfaces.hpp"

#include <caf/actor_clock.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>

namespace crm {

/// How a NUMBER sends.
struct number_options {
  /// The provider's limit for this number (messages per second); sends are paced to it.
  double rate_per_second = 80;
  /// Attempts per message when the provider says "not now" (429, 5xx, throughput codes).
  int max_attempts = 5;
  /// The first retry waits this long, each next one twice as long, plus up to 50 % jitter.
  std::chrono::milliseconds retry_base{1000};
  /// Requests in flight at once (the provider client's connections).
  int max_in_flight = 8;
  /// The longest single wait between retries (the doubling stops there).
  std::chrono::milliseconds retry_max{30000};
  /// While the provider is down (5xx, unreachable), messages wait this long before they
  /// are failed; the number probes with one message at a time meanwhile.
  std::chrono::seconds outage_give_up{3600};
};

/// Whom a NUMBER talks to.
struct number_peers {
  storage_actor storage;
  /// The provider's send API; null when the number cannot send (no credentials, a
  /// provider without a client): its messages then fail with `number_unavailable`.
  provider_client_ptr client;
};

/// State of one NUMBER: the queue of stored messages waiting for a send slot, the sends in
/// flight, and the pacing clock.
struct number_state {
  static inline const char* name = "number";
  number_state() = default;

  /// Starts as many queued sends as the pace and the in-flight cap allow; arms a tick for
  /// the next slot otherwise.
  void pump(actor_pointer<number_actor, number_state> self);

  /// Counts the attempt, then hands the message to the provider client.
  void start(actor_pointer<number_actor, number_state> self, outbound_job job);

  /// Records a final outcome and tells the message's CHAT.
  void finish(actor_pointer<number_actor, number_state> self, const outbound_job& job,
              const provider_reply& reply);

  /// Records the number's connection state when a send changes it.
  void health(actor_pointer<number_actor, number_state> self, const provider_reply& reply);

  /// The wait before attempt `n` (1-based) is retried.
  std::chrono::milliseconds backoff(int n) const;

  /// The provider did not take `job` for a reason of its own (5xx, unreachable): the job
  /// goes back to the head of the queue and sends pause, then resume with one probe.
  void provider_down(actor_pointer<number_actor, number_state> self, outbound_job job,
                     const provider_reply& reply);

  /// Queues a job, remembering when it first arrived (for the outage give-up).
  void enqueue(outbound_job job, bool front = false);

  number_profile profile;
  number_options options;
  number_peers peers;
  chat_registry_actor registry;
  std::deque<outbound_job> queue;
  std::unordered_map<std::string, outbound_job> in_flight; // message id -> job
  caf::actor_clock::time_point next_slot{};
  bool tick_armed = false;
  /// Provider-side failures in a row (0: the provider takes messages) and the pause they set.
  int outage = 0;
  caf::actor_clock::time_point paused_until{};
  std::unordered_map<std::string, caf::actor_clock::time_point> arrived; // message id -> when
  std::string status; // as last recorded: connected | error
};

/// The behaviour of a NUMBER: loads its outbox (pending messages) and sends it first.
number_actor::behavior_type number(actor_pointer<number_actor, number_state> self,
                                   number_profile profile, number_peers peers,
                                   number_options options);

} // namespace crm
