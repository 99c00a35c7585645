#include "actors/chat.hpp"

#include "actors/chat_bot.hpp"
#include "actors/chat_commands.hpp"
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

void chat_state::publish(const char* name, const nlohmann::json& data, const std::string& agent,
                         bool supervisors, bool watchers) const {
  if (peers.hub)
    caf::anon_send(peers.hub,
                   ws_event{name, data.dump(), agent.empty() ? conversation.agent_id : agent,
                            supervisors, watchers ? conversation.id.value : std::string{}});
}

nlohmann::json chat_state::summary() const {
  auto& c = conversation;
  return {{"chatId", c.id.value},
          {"agentId", c.agent_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.agent_id)},
          {"status", c.status},
          {"debtorId", c.debtor_id},
          {"debtorPhone", c.debtor_phone},
          {"campaignId", c.campaign_id},
          {"priority", c.priority},
          {"unread", c.unread}};
}

void chat_state::release(chat_actor::pointer self, const std::string& agent) const {
  if (agent.empty() || !peers.agents.table)
    return;
  if (auto handle = peers.agents.table->find(agent))
    self->send(*handle, atom::released_v, conversation.id);
}

void chat_state::supersede_unsaved(chat_actor::pointer self) {
  if (!unsaved_assignment)
    return;
  release(self, unsaved_assignment->agent.value);
  unsaved_assignment.reset();
}

void chat_state::back_to_queue(chat_actor::pointer self, std::vector<std::string> skills) {
  conversation.status = "queued";
  conversation.agent_id.clear();
  conversation.assigned_at_ms = 0;
  conversation.queued_at_ms = peers.now_ms();
  if (peers.dispatcher)
    self->send(peers.dispatcher,
               chat_waiting{conversation.id, conversation.campaign_id, conversation.priority,
                            conversation.queued_at_ms, std::move(skills)});
}

void chat_state::publish_status(const message_status_changed& c) const {
  nlohmann::json data = {{"id", c.id.value},
                         {"chatId", c.chat.value},
                         {"status", c.status},
                         {"providerId", c.provider_id.empty() ? nlohmann::json(nullptr)
                                                              : nlohmann::json(c.provider_id)}};
  if (!c.error.empty())
    data["error"] = nlohmann::json::parse(c.error, nullptr, false);
  publish("message.status", data);
}

bool chat_state::visible_to(const chat_command& cmd) const {
  return cmd.by_role != "agent" || conversation.agent_id == cmd.by_user;
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
  self->request(peers.storage, timeouts::commit, std::move(record))
      .await(
          [this, decision](json_page&) {
            if (!unsaved_assignment || !(unsaved_assignment->agent == decision.agent))
              return; // superseded while it was being written
            unsaved_assignment.reset();
            conversation.status = "assigned";
            conversation.agent_id = decision.agent.value;
            conversation.assigned_at_ms = peers.now_ms();
            publish("chat.assigned", summary());
          },
          [this, self, decision](caf::error& err) {
            if (code_of(err) == ec::not_found) {
              release(self, decision.agent.value); // closed meanwhile: nothing to record
              unsaved_assignment.reset();
              return;
            }
            spdlog::warn("chat {}: assignment not saved yet ({}), retrying", conversation.id.value,
                         caf::to_string(err));
            self->delayed_send(self, std::chrono::seconds(1), atom::tick_v);
          });
}

chat_actor::behavior_type chat(actor_pointer<chat_actor, chat_state> self, chat_snapshot snapshot,
                               chat_peers peers) {
  self->state.conversation = std::move(snapshot);
  self->state.peers = std::move(peers);
  bot_start(self);
  return {
      [self](inbound_envelope& env) -> caf::result<inbound_ack> {
        auto& st = self->state;
        if (st.closed) // the REGISTRY already routes new messages to a new chat
          return make_error(ec::storage_unavailable,
                            "chat " + st.conversation.id.value + " just closed; retry");
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
        auto received = env.message;
        append_message write{st.conversation.id, std::move(env.number), std::move(env.message)};
        self->request(st.peers.storage, timeouts::commit, std::move(write))
            .then(
                [self, pid, event = std::move(event), received](inbound_ack& ack) mutable {
                  auto& st = self->state;
                  st.apply(pid, ack);
                  if (!ack.duplicate) {
                    event["id"] = ack.id.value;
                    st.publish("message.new", event);
                    if (st.peers.contact &&
                        contact::is_opt_out(received.text, st.peers.contact->opt_out_phrases))
                      handle_opt_out(self);
                    else if (st.conversation.status == "bot")
                      bot_message(self, received);
                    else if (st.conversation.status == "queued")
                      tell_if_after_hours(self);
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
        auto& st = self->state;
        // A person decided first (or the chat closed): the offered agent gets its slot back.
        if (st.closed || st.conversation.status != "queued") {
          st.release(self, decision.agent.value);
          return;
        }
        st.supersede_unsaved(self);
        st.unsaved_assignment = std::move(decision);
        st.persist_assignment(self);
      },
      [self](chat_command& cmd) { return handle_command(self, cmd); },
      [self](const requeue_check& check) { return handle_requeue_check(self, check); },
      [self](const message_status_changed& c) { self->state.publish_status(c); },
      [self](atom::tick) { self->state.persist_assignment(self); },
      [self](atom::bot, std::int64_t deadline_ms) { bot_timer(self, deadline_ms); },
      [self](atom::passivate) -> caf::result<chat_snapshot> {
        auto& st = self->state;
        // Anything pending (a write, an unsaved decision, the bot's timers) keeps it awake.
        if (st.closed || st.conversation.status == "bot" || st.unsaved_assignment ||
            !st.in_flight.empty())
          return make_error(ec::conflict, "the chat is busy");
        return st.conversation;
      },
  };
}

} // namespace crm
