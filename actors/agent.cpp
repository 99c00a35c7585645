#include "actors/agent.hpp"

#include "actors/timeouts.hpp"
#include "domain/error.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <algorithm>

namespace crm {

bool valid_agent_status(const std::string& status) {
  return status == "available" || status == "busy" || status == "break" || status == "offline";
}

bool agent_state::accepts(const chat_offer& offer) const {
  if (status != "available" || static_cast<int>(open_chats.size()) >= capacity)
    return false;
  if (open_chats.count(offer.chat.value))
    return true; // a repeated offer of a chat it holds is harmless
  return offer.campaign_id.empty() ||
         std::find(campaigns.begin(), campaigns.end(), offer.campaign_id) != campaigns.end();
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
  if (dispatcher)
    self->send(dispatcher, load(), agent_actor{self});
}

agent_actor::behavior_type agent(agent_actor::stateful_pointer<agent_state> self,
                                 agent_profile profile, dispatcher_actor dispatcher,
                                 storage_actor storage) {
  auto& st = self->state;
  st.id = std::move(profile.id);
  st.status = valid_agent_status(profile.status) ? profile.status : "offline";
  st.capacity = profile.capacity;
  st.skills = std::move(profile.skills);
  st.campaigns = std::move(profile.campaigns);
  st.open_chats.insert(profile.open_chats.begin(), profile.open_chats.end());
  st.dispatcher = std::move(dispatcher);
  st.storage = std::move(storage);
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
        self->request(st.storage, timeouts::commit, agent_status_event{st.id, change.status})
            .then(
                [self, rp, status = change.status](atom::ok) mutable {
                  auto& st = self->state;
                  if (status == "available")
                    st.idle_since = std::chrono::system_clock::now();
                  st.status = status;
                  st.publish(self);
                  rp.deliver(st.load());
                },
                [rp](caf::error& err) mutable { rp.deliver(err); });
        return rp;
      },
      [self](atom::status) { return self->state.load(); },
  };
}

} // namespace crm
