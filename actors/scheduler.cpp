#include "actors/scheduler.hpp"

#include "actors/timeouts.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace crm {

namespace {

/// Pushes one reminder; it counts as given once a session of the assignee got it (else the
/// next tick tries again, so an agent who connects later still gets it).
void remind(scheduler_actor::stateful_pointer<scheduler_state> self, const nlohmann::json& item) {
  auto task = item["task"];
  self->request(
          self->state.peers.hub, timeouts::route, atom::publish_v,
          ws_event{"task.reminder", task.dump(), item["assigneeId"].get<std::string>(), false, {}})
      .then(
          [self, id = task["id"].get<std::string>()](std::uint64_t reached) {
            if (reached == 0)
              return;
            api_request done{"tasks.reminded", "", nlohmann::json{{"taskId", id}}.dump(), {}};
            self->request(self->state.peers.worker, timeouts::route, std::move(done))
                .then([](api_reply&) {}, [](caf::error&) {});
          },
          [](caf::error&) {});
}

} // namespace

scheduler_actor::behavior_type scheduler(scheduler_actor::stateful_pointer<scheduler_state> self,
                                         scheduler_peers peers) {
  self->state.peers = std::move(peers);
  self->send(self, atom::tick_v);
  return {
      [self](atom::tick) {
        auto& st = self->state;
        api_request sweep{
            "tasks.sweep", "", nlohmann::json{{"leadMinutes", st.peers.lead_minutes}}.dump(), {}};
        self->request(st.peers.worker, timeouts::import, std::move(sweep))
            .then(
                [self](api_reply& r) {
                  auto& st = self->state;
                  auto body = nlohmann::json::parse(r.body, nullptr, false);
                  if (r.status == 200 && body.is_object()) {
                    for (auto& item : body["reminders"])
                      remind(self, item);
                    if (body.value("created", 0) > 0)
                      spdlog::info("scheduler: {} follow-up tasks for broken promises",
                                   body.value("created", 0));
                  }
                  self->delayed_send(self, st.peers.tick, atom::tick_v);
                },
                [self](caf::error& err) {
                  spdlog::warn("scheduler: sweep failed: {}", caf::to_string(err));
                  self->delayed_send(self, self->state.peers.tick, atom::tick_v);
                });
      },
  };
}

} // namespace crm
