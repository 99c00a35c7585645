#include "actors/ws_hub.hpp"

#include "metrics/metrics.hpp"

#include "actors/timeouts.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>

namespace crm {

bool ws_hub_state::sees_everything(const std::string& role) {
  return role == "super_admin" || role == "supervisor" || role == "quality";
}

namespace {

/// Takes session `id` out of `room` of `rooms`.
void leave_room(std::unordered_multimap<std::string, std::uint64_t>& rooms, const std::string& room,
                std::uint64_t id) {
  auto [first, last] = rooms.equal_range(room);
  for (auto r = first; r != last; ++r)
    if (r->second == id) {
      rooms.erase(r);
      return;
    }
}

void drop(ws_hub_state& st, std::uint64_t id) {
  auto it = st.sessions.find(id);
  if (it == st.sessions.end())
    return;
  leave_room(st.agent_rooms, it->second.user.user_id, id);
  for (auto r = st.chat_rooms.begin(); r != st.chat_rooms.end();)
    r = r->second == id ? st.chat_rooms.erase(r) : std::next(r);
  st.sessions.erase(it);
  metrics::ws_sessions().Set(static_cast<double>(st.sessions.size()));
}

/// The frame of an event, shared by every session that gets it.
std::shared_ptr<const std::string> frame_of(const ws_event& ev) {
  return std::make_shared<const std::string>(R"({"event":")" + ev.name + R"(","data":)" + ev.data +
                                             "}");
}

} // namespace

ws_hub_actor::behavior_type ws_hub(actor_pointer<ws_hub_actor, ws_hub_state> self,
                                   std::chrono::seconds offline_grace) {
  self->state.offline_grace = offline_grace;
  return {
      [self](atom::join, ws_user& user, ws_sink_ptr& sink) {
        auto& st = self->state;
        auto id = sink->id();
        st.agent_rooms.emplace(user.user_id, id);
        st.sessions[id] = {std::move(user), std::move(sink)};
        metrics::ws_sessions().Set(static_cast<double>(st.sessions.size()));
      },
      [self](atom::leave, std::uint64_t id) {
        auto& st = self->state;
        auto it = st.sessions.find(id);
        if (it == st.sessions.end())
          return;
        auto user = it->second.user.user_id;
        drop(st, id);
        // Closing a tab is not leaving work: only when no session comes back in time.
        if (st.agent_rooms.count(user) == 0)
          self->delayed_send(self, st.offline_grace, atom::tick_v, user);
      },
      [self](atom::tick, const std::string& user) {
        auto& st = self->state;
        if (st.agent_rooms.count(user) > 0 || !st.agents.table)
          return;
        auto agent = st.agents.table->find(user);
        if (!agent)
          return;
        self->request(*agent, timeouts::route, status_change{"offline"})
            .then([](agent_load&) {},
                  [user](caf::error& err) {
                    spdlog::warn("ws_hub: agent {} not set offline: {}", user, caf::to_string(err));
                  });
      },
      [self](agent_directory& directory) { self->state.agents = std::move(directory); },
      [self](atom::watch, std::uint64_t id, const chat_id& chat) {
        auto& st = self->state;
        if (!st.sessions.count(id))
          return;
        leave_room(st.chat_rooms, chat.value, id); // watching twice is watching once
        st.chat_rooms.emplace(chat.value, id);
      },
      [self](atom::unwatch, std::uint64_t id, const chat_id& chat) {
        leave_room(self->state.chat_rooms, chat.value, id);
      },
      [self](atom::publish, const ws_event& ev) -> std::uint64_t {
        auto& st = self->state;
        auto frame = frame_of(ev);
        std::uint64_t reached = 0;
        auto [first, last] = st.agent_rooms.equal_range(ev.agent_id);
        for (auto r = first; r != last; ++r)
          if (auto it = st.sessions.find(r->second); it != st.sessions.end()) {
            it->second.sink->push(frame);
            ++reached;
          }
        return reached;
      },
      [self](const ws_event& ev) {
        auto& st = self->state;
        auto frame = frame_of(ev); // one serialisation for every session that gets it
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
        if (!ev.chat_id.empty()) {
          auto [first, last] = st.chat_rooms.equal_range(ev.chat_id);
          for (auto r = first; r != last; ++r)
            targets.push_back(r->second);
          std::sort(targets.begin(), targets.end()); // a watcher may be in another room too
          targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
        }
        for (auto id : targets)
          if (auto it = st.sessions.find(id); it != st.sessions.end())
            it->second.sink->push(frame);
      },
      [self](atom::status) { return static_cast<std::uint64_t>(self->state.sessions.size()); },
      [self](atom::leave, const std::string& user, const std::string& reason) {
        auto& st = self->state;
        auto [first, last] = st.agent_rooms.equal_range(user);
        for (auto r = first; r != last; ++r)
          if (auto it = st.sessions.find(r->second); it != st.sessions.end())
            it->second.sink->close(reason); // the session's own leave cleans up
      },
  };
}

} // namespace crm
