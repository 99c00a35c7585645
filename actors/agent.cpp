#include "actors/agent.hpp"

#include "actors/timeouts.hpp"
#include "domain/error.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <memory>

namespace crm {

bool valid_agent_status(const std::string& status) {
  return status == "available" || status == "busy" || status == "break" || status == "offline";
}

bool agent_state::accepts(const chat_offer& offer) const {
  if (open_chats.count(offer.chat.value))
    return true; // a repeated offer of a chat it holds is harmless
  if (static_cast<int>(open_chats.size()) >= capacity)
    return false;
  if (offer.manual)
    return status != "offline";
  return status == "available" &&
         (offer.campaign_id.empty() ||
          std::find(campaigns.begin(), campaigns.end(), offer.campaign_id) != campaigns.end());
}

agent_load agent_state::load() const {
  using namespace std::chrono;
  return {id,
          status,
          static_cast<int>(open_chats.size()),
          capacity,
          skills,
          campaigns,
          duration_cast<milliseconds>(idle_since.time_since_epoch()).count()};
}

void agent_state::publish(agent_actor::pointer self) const {
  if (peers.dispatcher)
    self->send(peers.dispatcher, load(), agent_actor{self});
}

void agent_state::check_away_chats(actor_pointer<agent_actor, agent_state> self) {
  if (!away() || !registry || peers.requeue_after.count() == 0 || open_chats.empty() ||
      away_check_armed)
    return;
  away_check_armed = true;
  // Collects the answers; the next look is at the earliest chat that is not idle yet.
  struct round {
    size_t pending = 0;
    std::int64_t earliest = 0;
  };
  auto r = std::make_shared<round>();
  r->pending = open_chats.size();
  auto finish = [self, r] {
    if (--r->pending > 0)
      return;
    auto& st = self->state;
    st.away_check_armed = false;
    if (r->earliest > 0 && st.away()) {
      st.away_check_armed = true;
      self->delayed_send(self, std::chrono::milliseconds(r->earliest + 50), atom::tick_v);
    }
  };
  for (auto& chat : open_chats)
    self->request(registry, timeouts::route,
                  requeue_check{chat_id{chat}, id, peers.requeue_after.count()})
        .then(
            [r, finish](std::int64_t left) {
              if (left > 0 && (r->earliest == 0 || left < r->earliest))
                r->earliest = left;
              finish();
            },
            [r, finish](caf::error&) {
              if (r->earliest == 0 || r->earliest > 1000)
                r->earliest = 1000;
              finish();
            });
}

namespace {

void announce_status(agent_actor::pointer self, const agent_state& st) {
  if (!st.peers.hub)
    return;
  auto l = st.load();
  nlohmann::json data = {{"agentId", l.id.value},
                         {"status", l.status},
                         {"currentChats", l.open_chats},
                         {"maxConcurrentChats", l.capacity}};
  self->send(st.peers.hub, ws_event{"agent.status", data.dump(), st.id.value, true});
}

} // namespace

agent_actor::behavior_type agent(actor_pointer<agent_actor, agent_state> self,
                                 agent_profile profile, agent_peers peers) {
  auto& st = self->state;
  st.id = std::move(profile.id);
  st.status = valid_agent_status(profile.status) ? profile.status : "offline";
  st.capacity = profile.capacity;
  st.skills = std::move(profile.skills);
  st.campaigns = std::move(profile.campaigns);
  st.open_chats.insert(profile.open_chats.begin(), profile.open_chats.end());
  st.peers = std::move(peers);
  st.publish(self);
  return {
      [self](atom::offer, const chat_offer& offer) {
        auto& st = self->state;
        if (!st.accepts(offer))
          return false;
        if (st.open_chats.insert(offer.chat.value).second)
          st.publish(self);
        return true;
      },
      [self](atom::released, const chat_id& chat) {
        auto& st = self->state;
        if (st.open_chats.erase(chat.value) == 0)
          return;
        st.idle_since = std::chrono::system_clock::now();
        st.publish(self);
      },
      [self](status_change& change) -> caf::result<agent_load> {
        auto& st = self->state;
        if (!valid_agent_status(change.status))
          return make_error(ec::invalid_input, "status must be available, busy, break or offline");
        if (st.status == change.status)
          return st.load();
        // Recorded first: the time-in-status log must not miss a stretch the agent worked.
        auto rp = self->make_response_promise<agent_load>();
        self->request(st.peers.storage, timeouts::commit, agent_status_event{st.id, change.status})
            .then(
                [self, rp, status = change.status](atom::ok) mutable {
                  auto& st = self->state;
                  if (status == "available")
                    st.idle_since = std::chrono::system_clock::now();
                  st.status = status;
                  st.publish(self);
                  announce_status(self, st);
                  st.check_away_chats(self);
                  rp.deliver(st.load());
                },
                [rp](caf::error& err) mutable { rp.deliver(err); });
        return rp;
      },
      [self](agent_update& update) -> caf::result<agent_load> {
        auto& st = self->state;
        if (update.capacity < 1 || update.capacity > 100)
          return make_error(ec::invalid_input, "maxConcurrentChats must be between 1 and 100");
        st.capacity = update.capacity;
        st.skills = std::move(update.skills);
        st.campaigns = std::move(update.campaigns);
        st.publish(self); // a new campaign or a bigger capacity pulls queued chats
        return st.load();
      },
      [self](atom::status) { return self->state.load(); },
      [self](chat_registry_actor& registry) {
        self->state.registry = std::move(registry);
        self->state.check_away_chats(self); // away at start with chats: they are looked at
      },
      [self](atom::tick) {
        self->state.away_check_armed = false;
        self->state.check_away_chats(self);
      },
  };
}

} // namespace crm
