#include "actors/dispatcher.hpp"

#include "metrics/metrics.hpp"

#include "actors/timeouts.hpp"
#include "domain/iso_time.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace crm {

namespace {

using std::chrono::milliseconds;

clock_time from_ms(std::int64_t ms) {
  return clock_time{milliseconds{ms}};
}

std::int64_t to_ms(clock_time t) {
  return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
}

waiting_chat to_waiting(const chat_waiting& w) {
  waiting_chat c;
  c.chat_id = w.chat.value;
  c.campaign_id = w.campaign_id;
  c.prio = parse_priority(w.priority).value_or(priority::baja);
  c.queued_at = from_ms(w.queued_at_ms);
  c.required_skills = w.required_skills;
  return c;
}

chat_waiting to_message(const waiting_chat& c) {
  return {chat_id{c.chat_id}, c.campaign_id, std::string{to_string(c.prio)}, to_ms(c.queued_at),
          c.required_skills};
}

agent_candidate to_candidate(const agent_load& load) {
  return {load.id.value,
          load.status,
          load.open_chats,
          load.capacity,
          load.skills,
          load.campaigns,
          from_ms(load.idle_since_ms)};
}

} // namespace

routing_policy dispatcher_state::policy_of(const std::string& campaign_id) const {
  routing_policy policy;
  policy.skills_fallback_after = options.skills_fallback_after;
  if (auto it = campaigns.find(campaign_id); it != campaigns.end()) {
    policy.kind = parse_strategy(it->second.strategy).value_or(strategy::least_busy);
    policy.max_chats_per_agent = it->second.max_chats_per_agent;
  }
  return policy;
}

waiting_chat dispatcher_state::with_campaign_skills(const waiting_chat& chat) const {
  auto result = chat;
  if (auto it = campaigns.find(chat.campaign_id); it != campaigns.end())
    for (auto& skill : it->second.required_skills)
      if (std::find(result.required_skills.begin(), result.required_skills.end(), skill) ==
          result.required_skills.end())
        result.required_skills.push_back(skill);
  return result;
}

void dispatcher_state::try_assign() {
  if (!sink)
    return; // decisions would have nowhere to go: wait for the REGISTRY
  std::vector<agent_candidate> free;
  // Only agents that could take some chat now: with none, a queue of thousands costs nothing.
  for (auto& [id, entry] : agents)
    if (!entry.offer_in_flight && entry.info.status == "available" &&
        entry.info.open_chats < entry.info.capacity)
      free.push_back(entry.info);
  if (free.empty() || queue.empty())
    return;
  auto now = options.now();
  std::vector<std::pair<waiting_chat, std::string>> decisions;
  queue.for_each([&](const waiting_chat& queued) {
    if (offering.count(queued.chat_id))
      return true;
    auto chat = with_campaign_skills(queued);
    auto pick = select_agent(policy_of(chat.campaign_id), free, chat, cursor, now);
    if (!pick)
      return true;
    decisions.emplace_back(queued, *pick);
    // One offer per agent at a time: the next decision must not count on this agent.
    free.erase(std::remove_if(free.begin(), free.end(),
                              [&](const agent_candidate& a) { return a.id == *pick; }),
               free.end());
    return !free.empty();
  });
  for (auto& [chat, agent] : decisions)
    offer(chat, agents.at(agent));
  schedule_fallback_tick();
}

void dispatcher_state::offer(const waiting_chat& chat, agent_entry& agent) {
  agent.offer_in_flight = true;
  offering.insert(chat.chat_id);
  auto chat_key = chat.chat_id;
  auto agent_key = agent.info.id;
  auto started = std::chrono::steady_clock::now();
  auto queued_at = chat.queued_at;
  self->request(agent.handle, timeouts::offer, atom::offer_v,
                chat_offer{chat_id{chat.chat_id}, chat.campaign_id})
      .then(
          [this, chat_key, agent_key, started, queued_at](bool accepted) {
            offering.erase(chat_key);
            if (auto it = agents.find(agent_key); it != agents.end())
              it->second.offer_in_flight = false;
            if (accepted && queue.remove(chat_key)) {
              std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
              metrics::assignment_seconds().Observe(took.count());
              std::chrono::duration<double> waited = std::chrono::system_clock::now() - queued_at;
              metrics::queue_wait_seconds().Observe(std::max(0.0, waited.count()));
              self->send(sink, chat_assigned{chat_id{chat_key}, agent_id{agent_key}});
            } else if (accepted) {
              // Taken out of the queue meanwhile (assigned by hand, closed): give it back.
              if (auto it = agents.find(agent_key); it != agents.end())
                self->send(it->second.handle, atom::released_v, chat_id{chat_key});
            } else {
              // Our picture of this agent was stale; its own update is on the way.
              if (auto it = agents.find(agent_key); it != agents.end())
                it->second.info.status = "unknown";
            }
            queue_changed();
            try_assign();
          },
          [this, chat_key, agent_key](caf::error& err) {
            spdlog::warn("dispatcher: offer of {} to {} failed: {}", chat_key, agent_key,
                         caf::to_string(err));
            offering.erase(chat_key);
            agents.erase(agent_key); // it will be back with its next load update
            try_assign();
          });
}

void dispatcher_state::queue_changed() {
  metrics::queue_length().Set(static_cast<double>(queue.size()));
  if (publish_armed || !options.hub)
    return;
  publish_armed = true;
  self->delayed_send(self, options.publish_every, atom::publish_v);
}

void dispatcher_state::schedule_fallback_tick() {
  if (tick_armed)
    return;
  auto now = options.now();
  std::optional<clock_time> earliest;
  queue.for_each([&](const waiting_chat& c) {
    if (policy_of(c.campaign_id).kind != strategy::skills_based)
      return true;
    auto deadline = c.queued_at + options.skills_fallback_after;
    if (deadline > now && (!earliest || deadline < *earliest))
      earliest = deadline;
    return true;
  });
  if (!earliest)
    return;
  tick_armed = true;
  auto wait = std::chrono::duration_cast<milliseconds>(*earliest - now) + milliseconds{1};
  self->delayed_send(self, wait, atom::tick_v);
}

dispatcher_actor::behavior_type dispatcher(actor_pointer<dispatcher_actor, dispatcher_state> self,
                                           assignment_sink_actor sink, dispatcher_options options) {
  self->state.sink = std::move(sink);
  self->state.options = options;
  return {
      [self](const chat_waiting& w) {
        auto& st = self->state;
        if (st.queue.push(to_waiting(w)))
          st.queue_changed();
        st.try_assign();
      },
      [self](const agent_load& load, agent_actor& handle) {
        auto& st = self->state;
        auto& entry = st.agents[load.id.value];
        entry.handle = std::move(handle);
        entry.info = to_candidate(load);
        st.try_assign();
      },
      [self](atom::remove, const chat_id& chat) {
        auto& st = self->state;
        if (st.queue.remove(chat.value))
          st.queue_changed();
      },
      [self](const campaign_routing& routing) {
        self->state.campaigns[routing.campaign_id] = routing;
        self->state.try_assign();
      },
      [self](atom::queue) {
        std::vector<chat_waiting> result;
        self->state.queue.for_each([&](const waiting_chat& c) {
          result.push_back(to_message(c));
          return true;
        });
        return result;
      },
      [self](atom::tick) {
        self->state.tick_armed = false;
        self->state.try_assign();
      },
      [self](atom::publish) {
        auto& st = self->state;
        st.publish_armed = false;
        nlohmann::json data = {{"length", st.queue.size()}, {"oldestQueuedAt", nullptr}};
        std::optional<clock_time> oldest;
        st.queue.for_each([&](const waiting_chat& c) {
          if (!oldest || c.queued_at < *oldest)
            oldest = c.queued_at;
          return true;
        });
        if (oldest)
          data["oldestQueuedAt"] = iso_utc(to_ms(*oldest));
        self->send(st.options.hub, ws_event{"queue.updated", data.dump(), "", true});
      },
      [self](assignment_sink_actor& sink) {
        self->state.sink = std::move(sink);
        self->state.try_assign();
      },
  };
}

} // namespace crm
