#include "actors/identity.hpp"

#include "actors/timeouts.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

namespace crm {

access_table access_table_of(const access_rows& rows) {
  access_table t;
  for (auto& u : rows.users)
    t.users[u.id] = {u.role, u.ver, u.active};
  for (auto& r : rows.roles)
    t.roles[r.name].insert(r.permissions.begin(), r.permissions.end());
  return t;
}

identity_actor::behavior_type identity(identity_actor::stateful_pointer<identity_state> self,
                                       identity_worker_actor worker, ws_hub_actor hub,
                                       std::shared_ptr<access_slot> slot) {
  auto& st = self->state;
  st.worker = std::move(worker);
  st.hub = std::move(hub);
  st.slot = std::move(slot);
  return {
      [self](atom::load, atom::access) -> caf::result<atom::ok> {
        auto rp = self->make_response_promise<atom::ok>();
        self->request(self->state.worker, timeouts::read, atom::load_v, atom::access_v)
            .await(
                [self, rp](access_rows& rows) mutable {
                  auto& st = self->state;
                  auto next = std::make_shared<const access_table>(access_table_of(rows));
                  auto previous = st.slot->get();
                  st.slot->set(next);
                  // Sessions of users whose tokens stopped being good are closed now.
                  for (auto& [id, before] : previous->users) {
                    auto it = next->users.find(id);
                    if (it == next->users.end() || !it->second.active)
                      self->send(st.hub, atom::leave_v, id, std::string{"user deactivated"});
                    else if (it->second.ver != before.ver || it->second.role != before.role)
                      self->send(st.hub, atom::leave_v, id, std::string{"access revoked"});
                  }
                  rp.deliver(atom::ok_v);
                },
                [rp](caf::error& err) mutable {
                  spdlog::error("identity: access table not rebuilt: {}", caf::to_string(err));
                  rp.deliver(err);
                });
        return rp;
      },
  };
}

} // namespace crm
