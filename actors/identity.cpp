#include "actors/identity.hpp"

#include "actors/timeouts.hpp"

#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

namespace crm {

namespace {

using self_ptr = actor_pointer<identity_actor, identity_state>;

/// Brings the AGENTs in line with the active agents in the database: spawns the new ones,
/// updates the others, takes those no longer active offline (no new chats reach them);
/// `done` runs once every one taken offline has said so (the caller answers after that, so
/// a deactivated agent gets no chat once the deactivation is acknowledged).
void sync_agents(self_ptr self, std::vector<agent_profile>& profiles, std::function<void()> done) {
  auto& st = self->state;
  std::set<std::string> active;
  for (auto& p : profiles) {
    auto id = p.id.value;
    active.insert(id);
    if (auto handle = st.peers.agents->find(id)) {
      caf::anon_send(*handle, agent_update{p.capacity, p.skills, p.campaigns});
      if (st.active_agents.count(id) == 0)
        spdlog::info("identity: agent {} active again", id);
    } else {
      st.peers.agents->put(id, st.peers.spawn_agent(std::move(p)));
      spdlog::info("identity: agent {} started", id);
    }
  }
  std::vector<agent_actor> leaving;
  for (auto& id : st.active_agents)
    if (active.count(id) == 0)
      if (auto handle = st.peers.agents->find(id))
        leaving.push_back(*handle);
  st.active_agents = std::move(active);
  if (leaving.empty())
    return done();
  auto pending = std::make_shared<std::size_t>(leaving.size());
  auto one_more = [pending, done] {
    if (--*pending == 0)
      done();
  };
  for (auto& handle : leaving)
    self->request(handle, timeouts::route, status_change{"offline"})
        .then([one_more](agent_load&) { one_more(); }, [one_more](caf::error&) { one_more(); });
}

/// Gives the DISPATCHER every active campaign's routing as it now stands.
void sync_campaigns(self_ptr self) {
  auto& st = self->state;
  if (!st.peers.dispatcher)
    return;
  self->request(st.peers.storage, timeouts::read, atom::load_v, atom::campaigns_v)
      .then(
          [self](std::vector<campaign_routing>& campaigns) {
            for (auto& c : campaigns)
              self->send(self->state.peers.dispatcher, std::move(c));
          },
          [](caf::error& err) {
            spdlog::warn("identity: campaigns not synced: {}", caf::to_string(err));
          });
}

} // namespace

access_table access_table_of(const access_rows& rows) {
  access_table t;
  for (auto& u : rows.users)
    t.users[u.id] = {u.role, u.ver, u.active};
  for (auto& r : rows.roles)
    t.roles[r.name].insert(r.permissions.begin(), r.permissions.end());
  return t;
}

identity_actor::behavior_type identity(actor_pointer<identity_actor, identity_state> self,
                                       identity_peers peers) {
  auto& st = self->state;
  st.peers = std::move(peers);
  if (st.peers.agents)
    for (auto& [id, handle] : st.peers.agents->all())
      st.active_agents.insert(id);
  return {
      [self](atom::load, atom::access) -> caf::result<atom::ok> {
        auto rp = self->make_response_promise<atom::ok>();
        self->request(self->state.peers.worker, timeouts::read, atom::load_v, atom::access_v)
            .await(
                [self, rp](access_rows& rows) mutable {
                  auto& st = self->state;
                  auto next = std::make_shared<const access_table>(access_table_of(rows));
                  auto previous = st.peers.slot->get();
                  st.peers.slot->set(next);
                  // Sessions of users whose tokens stopped being good are closed now.
                  for (auto& [id, before] : previous->users) {
                    auto it = next->users.find(id);
                    if (it == next->users.end() || !it->second.active)
                      self->send(st.peers.hub, atom::leave_v, id, std::string{"user deactivated"});
                    else if (it->second.ver != before.ver || it->second.role != before.role)
                      self->send(st.peers.hub, atom::leave_v, id, std::string{"access revoked"});
                  }
                  if (!st.peers.spawn_agent) {
                    rp.deliver(atom::ok_v);
                    return;
                  }
                  self->request(st.peers.storage, timeouts::read, atom::load_v, atom::agents_v)
                      .await(
                          [self, rp](std::vector<agent_profile>& profiles) mutable {
                            sync_campaigns(self);
                            sync_agents(self, profiles, [rp]() mutable { rp.deliver(atom::ok_v); });
                          },
                          [rp](caf::error& err) mutable {
                            spdlog::error("identity: agents not synced: {}", caf::to_string(err));
                            rp.deliver(atom::ok_v); // access itself is in force
                          });
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
