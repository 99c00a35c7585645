#include "actors/number_pool.hpp"

#include "metrics/metrics.hpp"

#include "actors/timeouts.hpp"
#include "domain/error.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace crm {

void number_pool_state::start(actor_pointer<number_pool_actor, number_pool_state> self,
                              const number_profile& profile) {
  auto handle = self->spawn<caf::linked>(
      number, profile, number_peers{storage, factory.client(profile)}, factory.options(profile));
  if (registry)
    self->send(handle, registry);
  numbers[profile.id.value] = handle;
}

number_pool_actor::behavior_type
number_pool(actor_pointer<number_pool_actor, number_pool_state> self,
            std::vector<number_profile> profiles, storage_actor storage, number_factory factory) {
  auto& st = self->state;
  st.storage = std::move(storage);
  st.factory = std::move(factory);
  for (auto& p : profiles)
    st.start(self, p);
  return {
      [self](outbound_job& job) {
        auto& st = self->state;
        if (auto it = st.numbers.find(job.number.value); it != st.numbers.end())
          return self->send(it->second, std::move(job));
        // The number was removed: the message fails where the agent sees it.
        auto error = nlohmann::json{{"code", "number_unavailable"},
                                    {"message", "the chat's WhatsApp number is not active"}};
        self->request(st.storage, timeouts::commit,
                      send_outcome{job.id, "", "failed", error.dump()})
            .then(
                [self](message_status_changed& c) {
                  if (self->state.registry)
                    self->send(self->state.registry, std::move(c));
                },
                [](caf::error&) {});
      },
      [self](number_change& change) -> caf::result<json_page> {
        auto rp = self->make_response_promise<json_page>();
        self->request(self->state.storage, timeouts::commit, std::move(change))
            .then(
                [self, rp](number_saved& saved) mutable {
                  auto& st = self->state;
                  auto id = saved.profile.id.value;
                  auto it = st.numbers.find(id);
                  if (!saved.active) {
                    if (it != st.numbers.end()) {
                      self->unlink_from(it->second);
                      self->send_exit(it->second, caf::exit_reason::user_shutdown);
                      st.numbers.erase(it);
                    }
                  } else if (it == st.numbers.end()) {
                    st.start(self, saved.profile);
                  } else {
                    self->send(it->second, saved.profile, st.factory.client(saved.profile));
                  }
                  // Cached routing (and a WPPConnect token) must not outlive a change.
                  if (st.registry)
                    self->send(st.registry, atom::remove_v, saved.profile.id);
                  spdlog::info("numbers: {} {}", id, saved.active ? "saved" : "removed");
                  rp.deliver(json_page{std::move(saved.json), 1, true});
                },
                [rp](caf::error& err) mutable { rp.deliver(err); });
        return rp;
      },
      [self](atom::media, const number_id& id) -> caf::result<provider_client_ptr> {
        auto& st = self->state;
        if (auto it = st.numbers.find(id.value); it != st.numbers.end())
          return self->delegate(it->second, atom::media_v);
        return make_error(ec::rule_broken, "the message's WhatsApp number is not active");
      },
      [self](chat_registry_actor& registry) {
        auto& st = self->state;
        st.registry = registry;
        for (auto& [id, handle] : st.numbers)
          self->send(handle, registry);
      },
  };
}

} // namespace crm
