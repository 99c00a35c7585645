#include "actors/number.hpp"

#include "metrics/metrics.hpp"

#include "actors/timeouts.hpp"
#include "domain/error.hpp"

#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <random>

namespace crm {

namespace {

using self_ptr = actor_pointer<number_actor, number_state>;

caf::timespan slot_length(const number_options& o) {
  return std::chrono::duration_cast<caf::timespan>(
      std::chrono::duration<double>(1.0 / std::max(o.rate_per_second, 0.001)));
}

provider_reply failure(const message_id& id, std::string code, std::string text) {
  provider_reply r;
  r.id = id;
  r.error_code = std::move(code);
  r.error_text = std::move(text);
  return r;
}

} // namespace

std::chrono::milliseconds number_state::backoff(int n) const {
  static thread_local std::mt19937 rng{std::random_device{}()};
  auto base = options.retry_base * (1 << std::min(n - 1, 10));
  std::uniform_int_distribution<long> jitter{0, static_cast<long>(base.count() / 2)};
  return std::min(base + std::chrono::milliseconds(jitter(rng)), options.retry_max);
}

void number_state::enqueue(outbound_job job, bool front) {
  arrived.try_emplace(job.id.value, caf::actor_clock::clock_type::now());
  if (front)
    queue.push_front(std::move(job));
  else
    queue.push_back(std::move(job));
}

void number_state::provider_down(self_ptr self, outbound_job job, const provider_reply& reply) {
  auto now = self->clock().now();
  in_flight.erase(job.id.value);
  ++job.attempts;
  metrics::number_sends(profile.id.value, "retried").Increment();
  // Sends already in flight when the outage began fail too; only a failed probe (a send
  // started after the pause) lengthens the pause.
  if (now >= paused_until) {
    if (outage++ == 0)
      spdlog::warn("number {}: the provider is not taking messages ({} {}); sends paused, "
                   "probing with one message",
                   profile.id.value, reply.http_status, reply.error_code);
    paused_until = now + backoff(outage);
  }
  enqueue(std::move(job), true);
  // Messages that waited through the whole outage window fail with what the provider said.
  auto limit = std::chrono::duration_cast<caf::actor_clock::duration_type>(options.outage_give_up);
  auto give_up = [&](const outbound_job& j) {
    auto it = arrived.find(j.id.value);
    return it != arrived.end() && now - it->second >= limit;
  };
  std::deque<outbound_job> kept;
  for (auto& j : queue) {
    if (!give_up(j)) {
      kept.push_back(std::move(j));
      continue;
    }
    in_flight[j.id.value] = j;
    finish(self, j,
           failure(j.id, reply.error_code.empty() ? "provider_unavailable" : reply.error_code,
                   "the provider did not take it for " +
                       std::to_string(options.outage_give_up.count() / 60) +
                       " min: " + reply.error_text));
  }
  queue = std::move(kept);
}

void number_state::pump(self_ptr self) {
  auto slot = slot_length(options);
  // During an outage one probe at a time finds out whether the provider is back.
  auto limit = outage > 0 ? 1 : options.max_in_flight;
  while (!queue.empty() && static_cast<int>(in_flight.size()) < limit) {
    auto now = self->clock().now();
    auto ready = std::max(next_slot, paused_until);
    if (now < ready) {
      if (!tick_armed) {
        tick_armed = true;
        self->delayed_send(self, ready - now, atom::tick_v);
      }
      break;
    }
    // One slot per message. A timer that fires late may be caught up by one slot at most,
    // so the long-run rate is the limit and no second ever carries more than one extra.
    next_slot = std::max(next_slot, now - slot) + slot;
    auto job = std::move(queue.front());
    queue.pop_front();
    start(self, std::move(job));
  }
  metrics::number_queue(profile.id.value).Set(static_cast<double>(queue.size() + in_flight.size()));
}

void number_state::start(self_ptr self, outbound_job job) {
  auto id = job.id;
  in_flight[id.value] = job;
  if (!peers.client)
    return finish(self, job,
                  failure(id, "number_unavailable",
                          "number " + profile.id.value + " has no provider client (credentials?)"));
  // Counted before it leaves: after a crash, a counted send is never repeated blindly.
  self->request(peers.storage, timeouts::commit, atom::attempt_v, id)
      .then(
          [self, job](atom::ok) {
            auto handle = number_actor{self};
            if (!self->state.peers.client) // its credentials were removed meanwhile
              return self->state.finish(
                  self, job,
                  failure(job.id, "number_unavailable", "the number has no provider client"));
            self->state.peers.client->send(
                job, [handle](provider_reply reply) { caf::anon_send(handle, std::move(reply)); });
          },
          [self, job](caf::error& err) {
            // Not counted, not sent: try again once the database is back.
            spdlog::warn("number {}: attempt of {} not counted ({}); retrying",
                         self->state.profile.id.value, job.id.value, caf::to_string(err));
            self->state.in_flight.erase(job.id.value);
            self->delayed_send(self, std::chrono::seconds(1), job);
          });
}

void number_state::health(self_ptr self, const provider_reply& reply) {
  // The number itself is in question only when the provider refuses its credentials or
  // cannot be reached; a debtor-side refusal (undeliverable, window) says nothing of it.
  bool broken = reply.http_status == 401 || reply.http_status == 403 ||
                reply.error_code == "connection_failed" || reply.error_code == "190";
  std::string next = !reply.provider_id.empty() ? "connected" : broken ? "error" : status;
  if (next == status || next.empty())
    return;
  status = next;
  auto why = next == "error" ? reply.error_code + ": " + reply.error_text : std::string{};
  self->request(peers.storage, timeouts::commit, number_health{profile.id, next, why})
      .then([](atom::ok) {},
            [self](caf::error& err) {
              self->state.status.clear(); // try again with the next send
              spdlog::warn("number {}: state not recorded: {}", self->state.profile.id.value,
                           caf::to_string(err));
            });
}

void number_state::finish(self_ptr self, const outbound_job& job, const provider_reply& reply) {
  in_flight.erase(job.id.value);
  arrived.erase(job.id.value);
  health(self, reply);
  auto sent = !reply.provider_id.empty();
  if (sent && outage > 0) {
    spdlog::info("number {}: the provider takes messages again after {} failed probes",
                 profile.id.value, outage);
    outage = 0;
  }
  metrics::number_sends(profile.id.value, sent ? "sent" : "failed").Increment();
  send_outcome outcome{job.id, reply.provider_id, sent ? "sent" : "failed", ""};
  if (!sent)
    outcome.error = nlohmann::json{{"code", reply.error_code},
                                   {"message", reply.error_text},
                                   {"httpStatus", reply.http_status}}
                        .dump();
  self->request(peers.storage, timeouts::commit, std::move(outcome))
      .then(
          [self](message_status_changed& changed) {
            if (self->state.registry)
              self->send(self->state.registry, std::move(changed));
          },
          [self, id = job.id](caf::error& err) {
            // The message stays pending in the outbox with its attempt counted: after a
            // restart it is reported as an unknown outcome, never sent again blindly.
            spdlog::error("number {}: outcome of {} not recorded: {}", self->state.profile.id.value,
                          id.value, caf::to_string(err));
          });
  pump(self);
}

number_actor::behavior_type number(self_ptr self, number_profile profile, number_peers peers,
                                   number_options options) {
  auto& st = self->state;
  st.profile = std::move(profile);
  st.peers = std::move(peers);
  st.options = options;
  self->request(st.peers.storage, timeouts::startup, atom::load_v, atom::outbox_v, st.profile.id)
      .then(
          [self](std::vector<outbound_job>& outbox) {
            auto& st = self->state;
            size_t resumed = 0;
            for (auto& job : outbox) {
              if (job.attempts > 0) {
                // It may have reached the debtor before the stop: never twice blindly.
                st.in_flight[job.id.value] = job;
                st.finish(self, job,
                          failure(job.id, "unknown_outcome",
                                  "the server stopped while this message was being sent; "
                                  "it was not sent again"));
                continue;
              }
              st.enqueue(std::move(job));
              ++resumed;
            }
            if (resumed > 0)
              spdlog::info("number {}: {} pending messages resumed", st.profile.id.value, resumed);
            st.pump(self);
          },
          [self](caf::error& err) {
            spdlog::warn("number {}: outbox not loaded ({}); it is resumed at the next start",
                         self->state.profile.id.value, caf::to_string(err));
          });
  return {
      [self](outbound_job& job) {
        self->state.enqueue(std::move(job));
        self->state.pump(self);
      },
      [self](provider_reply& reply) {
        auto& st = self->state;
        auto it = st.in_flight.find(reply.id.value);
        if (it == st.in_flight.end())
          return;
        auto job = it->second;
        // The provider itself is down or unreachable: wait it out, however many attempts.
        if (reply.retriable &&
            (reply.http_status >= 500 || reply.error_code == "connection_failed")) {
          st.provider_down(self, std::move(job), reply);
          st.pump(self);
          return;
        }
        // Throttling (429, throughput codes) is about this message: counted attempts.
        if (reply.retriable && job.attempts + 1 < st.options.max_attempts) {
          st.in_flight.erase(it);
          ++job.attempts;
          metrics::number_sends(st.profile.id.value, "retried").Increment();
          auto wait = st.backoff(job.attempts);
          spdlog::info("number {}: {} not taken ({} {}), retry {} in {} ms", st.profile.id.value,
                       job.id.value, reply.http_status, reply.error_code, job.attempts,
                       wait.count());
          self->delayed_send(self, wait, std::move(job));
          st.pump(self);
          return;
        }
        st.finish(self, job, reply);
      },
      [self](atom::tick) {
        self->state.tick_armed = false;
        self->state.pump(self);
      },
      [self](chat_registry_actor& registry) { self->state.registry = std::move(registry); },
      [self](number_profile& profile, provider_client_ptr& client) {
        auto& st = self->state;
        st.options.rate_per_second = profile.rate_per_second;
        st.profile = std::move(profile);
        st.peers.client = std::move(client); // sends in flight finish on the old one
        st.pump(self);
      },
      [self](atom::media) -> caf::result<provider_client_ptr> {
        if (!self->state.peers.client)
          return make_error(ec::rule_broken, "the message's WhatsApp number has no credentials");
        return self->state.peers.client;
      },
  };
}

} // namespace crm
