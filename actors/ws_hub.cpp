#include "actors/ws_hub.hpp"

#include "metrics/metrics.hpp"

#include <caf/typed_event_based_actor.hpp>

namespace crm {

bool ws_hub_state::sees_everything(const std::string& role) {
  return role == "super_admin" || role == "supervisor" || role == "quality";
}

namespace {

void drop(ws_hub_state& st, std::uint64_t id) {
  auto it = st.sessions.find(id);
  if (it == st.sessions.end())
    return;
  auto [first, last] = st.agent_rooms.equal_range(it->second.user.user_id);
  for (auto r = first; r != last; ++r)
    if (r->second == id) {
      st.agent_rooms.erase(r);
      break;
    }
  st.sessions.erase(it);
  metrics::ws_sessions().Set(static_cast<double>(st.sessions.size()));
}

} // namespace

ws_hub_actor::behavior_type ws_hub(ws_hub_actor::stateful_pointer<ws_hub_state> self) {
  return {
      [self](atom::join, ws_user& user, ws_sink_ptr& sink) {
        auto& st = self->state;
        auto id = sink->id();
        st.agent_rooms.emplace(user.user_id, id);
        st.sessions[id] = {std::move(user), std::move(sink)};
        metrics::ws_sessions().Set(static_cast<double>(st.sessions.size()));
      },
      [self](atom::leave, std::uint64_t id) { drop(self->state, id); },
      [self](const ws_event& ev) {
        auto& st = self->state;
        // One serialisation for every session that gets it.
        auto frame = std::make_shared<const std::string>(R"({"event":")" + ev.name +
                                                         R"(","data":)" + ev.data + "}");
        std::vector<std::uint64_t> targets;
        if (!ev.agent_id.empty()) {
          auto [first, last] = st.agent_rooms.equal_range(ev.agent_id);
          for (auto r = first; r != last; ++r)
            targets.push_back(r->second);
        }
        if (ev.supervisors)
          for (auto& [id, s] : st.sessions)
            if (ws_hub_state::sees_everything(s.user.role) && s.user.user_id != ev.agent_id)
              targets.push_back(id);
        for (auto id : targets)
          if (auto it = st.sessions.find(id); it != st.sessions.end())
            it->second.sink->push(frame);
      },
      [self](atom::status) { return static_cast<std::uint64_t>(self->state.sessions.size()); },
  };
}

} // namespace crm
