#include "actors/scheduler.hpp"

#include "actors/timeouts.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace crm {

namespace {

/// Pushes one reminder; it counts as given once a session of the assignee got it (else the
/// next tick tries again, so an agent who connects later still gets it).
void remind(actor_pointer<scheduler_actor, scheduler_state> self, const nlohmann::json& item) {
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

/// Sends one reserved campaign contact through the REGISTRY and records what came of it.
void send_outreach(actor_pointer<scheduler_actor, scheduler_state> self,
                   const nlohmann::json& job) {
  auto& st = self->state;
  outreach_request req{number_id{job["numberId"].get<std::string>()},
                       job["phone"].get<std::string>(), job["template"].dump(), ""};
  auto link = [self, attempt = job["attemptId"].get<std::string>()](nlohmann::json result) {
    result["attemptId"] = attempt;
    api_request done{"contacts.link", "", result.dump(), {}};
    self->request(self->state.peers.worker, timeouts::route, std::move(done))
        .then([](api_reply&) {},
              [attempt](caf::error& err) {
                spdlog::warn("scheduler: attempt {} not linked: {}", attempt, caf::to_string(err));
              });
  };
  self->request(st.peers.registry, timeouts::route, std::move(req))
      .then(
          [link](json_page& page) {
            auto m = nlohmann::json::parse(page.items, nullptr, false);
            link({{"status", "sent"},
                  {"chatId", m.value("chatId", std::string{})},
                  {"messageId", m.value("id", std::string{})}});
          },
          [link](caf::error& err) {
            link({{"status", "failed"}, {"error", {{"message", caf::to_string(err)}}}});
          });
}

/// Sums past days for the reports (migration 017), a few hundred milliseconds per tick so
/// the CRM WORKER stays responsive; a year's backlog takes a while, and reports stay exact
/// meanwhile (they read what is not summed yet live).
void roll_up_reports(actor_pointer<scheduler_actor, scheduler_state> self) {
  api_request roll{"reports.rollup", "", R"({"budgetMs":300})", {}};
  self->request(self->state.peers.worker, timeouts::import, std::move(roll))
      .then(
          [](api_reply& r) {
            auto body = nlohmann::json::parse(r.body, nullptr, false);
            if (r.status != 200)
              spdlog::warn("scheduler: report rollup failed: {}", r.body);
            else if (body.is_object() && body.value("days", 0) > 0)
              spdlog::debug("scheduler: {} report days summed", body.value("days", 0));
          },
          [](caf::error& err) {
            spdlog::warn("scheduler: report rollup failed: {}", caf::to_string(err));
          });
}

} // namespace

scheduler_actor::behavior_type scheduler(actor_pointer<scheduler_actor, scheduler_state> self,
                                         scheduler_peers peers) {
  self->state.peers = std::move(peers);
  self->send(self, atom::tick_v);
  if (self->state.peers.registry)
    self->send(self, atom::outbox_v);
  if (self->state.peers.hub)
    self->delayed_send(self, self->state.peers.stats_interval, atom::publish_v);
  return {
      [self](atom::publish) {
        auto& st = self->state;
        self->request(st.peers.worker, timeouts::route,
                      api_request{"reports.overview", "", "{}", {}})
            .then(
                [self](api_reply& r) {
                  if (r.status == 200)
                    self->send(self->state.peers.hub,
                               ws_event{"stats.overview", r.body, "", true, {}});
                  self->delayed_send(self, self->state.peers.stats_interval, atom::publish_v);
                },
                [self](caf::error& err) {
                  spdlog::warn("scheduler: overview not computed: {}", caf::to_string(err));
                  self->delayed_send(self, self->state.peers.stats_interval, atom::publish_v);
                });
      },
      [self](atom::outbox) {
        api_request next{"outbound.next", "", "{}", {}};
        self->request(self->state.peers.worker, timeouts::import, std::move(next))
            .then(
                [self](api_reply& r) {
                  auto body = nlohmann::json::parse(r.body, nullptr, false);
                  if (r.status == 200 && body.is_object())
                    for (auto& job : body["jobs"])
                      send_outreach(self, job);
                  else
                    spdlog::warn("scheduler: outbound sends not picked: {}", r.body);
                  self->delayed_send(self, std::chrono::seconds(1), atom::outbox_v);
                },
                [self](caf::error& err) {
                  spdlog::warn("scheduler: outbound sends not picked: {}", caf::to_string(err));
                  self->delayed_send(self, std::chrono::seconds(1), atom::outbox_v);
                });
      },
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
                  roll_up_reports(self);
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
