#include "actors/chat.hpp"

#include "actors/timeouts.hpp"

#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

namespace crm {

const inbound_ack* chat_state::known(const std::string& provider_id) const {
  auto it = recent.find(provider_id);
  return it == recent.end() ? nullptr : &it->second;
}

void chat_state::apply(const std::string& provider_id, const inbound_ack& ack) {
  if (!ack.duplicate)
    ++conversation.unread;
  if (recent.emplace(provider_id, ack).second) {
    recent_order.push_back(provider_id);
    if (recent_order.size() > recent_capacity) {
      recent.erase(recent_order.front());
      recent_order.pop_front();
    }
  }
}

void chat_state::publish(const char* name, const nlohmann::json& data) const {
  if (hub)
    caf::anon_send(hub, ws_event{name, data.dump(), conversation.agent_id, true});
}

nlohmann::json message_event(const chat_snapshot& chat, const inbound_message& m) {
  nlohmann::json j = {
      {"chatId", chat.id.value}, {"direction", "in"},           {"type", m.type},
      {"text", m.text},          {"providerId", m.provider_id}, {"status", "received"},
      {"from", m.from},          {"timestamp", m.timestamp}};
  if (!m.media.empty())
    j["media"] = nlohmann::json::parse(m.media);
  return j;
}

void chat_state::persist_assignment(chat_actor::pointer self) {
  if (!unsaved_assignment)
    return;
  auto decision = *unsaved_assignment;
  chat_assignment record{decision.chat, decision.agent, conversation.agent_id,
                         "assign",      "dispatcher",   ""};
  self->request(storage, timeouts::commit, std::move(record))
      .then(
          [this, decision](atom::ok) {
            if (!unsaved_assignment || !(unsaved_assignment->agent == decision.agent))
              return; // superseded while it was being written
            unsaved_assignment.reset();
            conversation.status = "assigned";
            conversation.agent_id = decision.agent.value;
            publish("chat.assigned", nlohmann::json{{"chatId", conversation.id.value},
                                                    {"agentId", conversation.agent_id},
                                                    {"debtorId", conversation.debtor_id},
                                                    {"debtorPhone", conversation.debtor_phone},
                                                    {"campaignId", conversation.campaign_id},
                                                    {"priority", conversation.priority},
                                                    {"unread", conversation.unread}});
          },
          [this, self](caf::error& err) {
            if (code_of(err) == ec::not_found) {
              unsaved_assignment.reset(); // closed meanwhile: nothing to record
              return;
            }
            spdlog::warn("chat {}: assignment not saved yet ({}), retrying", conversation.id.value,
                         caf::to_string(err));
            self->delayed_send(self, std::chrono::seconds(1), atom::tick_v);
          });
}

chat_actor::behavior_type chat(chat_actor::stateful_pointer<chat_state> self,
                               chat_snapshot snapshot, storage_actor storage, ws_hub_actor hub) {
  self->state.hub = std::move(hub);
  self->state.conversation = std::move(snapshot);
  self->state.storage = std::move(storage);
  return {
      [self](inbound_envelope& env) -> caf::result<inbound_ack> {
        auto& st = self->state;
        auto pid = env.message.provider_id;
        if (auto ack = st.known(pid)) {
          auto again = *ack;
          again.duplicate = true; // a provider retry gets the same answer
          return again;
        }
        auto rp = self->make_response_promise<inbound_ack>();
        auto [waiters, first] = st.in_flight.try_emplace(pid);
        waiters->second.push_back(rp);
        if (!first)
          return rp;
        auto event = message_event(st.conversation, env.message);
        append_message write{st.conversation.id, std::move(env.number), std::move(env.message)};
        self->request(st.storage, timeouts::commit, std::move(write))
            .then(
                [self, pid, event = std::move(event)](inbound_ack& ack) mutable {
                  auto& st = self->state;
                  st.apply(pid, ack);
                  if (!ack.duplicate) {
                    event["id"] = ack.id.value;
                    st.publish("message.new", event);
                  }
                  auto waiting = std::move(st.in_flight[pid]);
                  st.in_flight.erase(pid);
                  for (size_t i = 0; i < waiting.size(); ++i) {
                    auto answer = ack;
                    answer.duplicate = ack.duplicate || i > 0;
                    waiting[i].deliver(std::move(answer));
                  }
                },
                [self, pid](caf::error& err) {
                  auto& st = self->state;
                  auto waiting = std::move(st.in_flight[pid]);
                  st.in_flight.erase(pid);
                  for (auto& w : waiting)
                    w.deliver(err);
                });
        return rp;
      },
      [self](chat_assigned& decision) {
        self->state.unsaved_assignment = std::move(decision);
        self->state.persist_assignment(self);
      },
      [self](atom::tick) { self->state.persist_assignment(self); },
  };
}

} // namespace crm
