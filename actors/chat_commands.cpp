#include "actors/chat_commands.hpp"

#include "actors/timeouts.hpp"

#include <caf/actor_cast.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace crm {

namespace {

using json = nlohmann::json;
using self_ptr = actor_pointer<chat_actor, chat_state>;
using reply = caf::typed_response_promise<json_page>;

json nullable(const std::string& s) {
  return s.empty() ? json(nullptr) : json(s);
}

/// Hands a stored message to NUMBERS, whose NUMBER records and reports its outcome.
void hand_to_number(self_ptr self, const stored_message& stored, const chat_command& cmd) {
  auto& st = self->state;
  self->send(st.peers.numbers,
             outbound_job{stored.id, st.conversation.id, st.conversation.number,
                          st.conversation.debtor_phone, cmd.type, cmd.text, cmd.details, 0});
}

caf::result<json_page> send_message(self_ptr self, chat_command& cmd) {
  auto& st = self->state;
  auto rp = self->make_response_promise<json_page>();
  outbound_message m{st.conversation.id, cmd.type, cmd.text, cmd.by_user, cmd.details};
  self->request(st.peers.storage, timeouts::commit, std::move(m))
      .await(
          [self, rp, cmd](stored_message& stored) mutable {
            auto& st = self->state;
            st.conversation.unread = 0;
            st.conversation.last_reply_at_ms = st.peers.now_ms();
            st.publish("message.new", json::parse(stored.json));
            rp.deliver(json_page{stored.json, 1, true});
            hand_to_number(self, stored, cmd);
          },
          [rp](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

/// After a write that moved the chat: who gets told what.
void announce_move(self_ptr self, const std::string& from, const chat_command& cmd) {
  auto& st = self->state;
  auto to = st.conversation.agent_id;
  if (from.empty()) {
    st.publish("chat.assigned", st.summary());
    return;
  }
  auto event = st.summary();
  event["fromAgentId"] = from;
  event["toAgentId"] = nullable(to);
  event["reason"] = cmd.reason;
  event["byUserId"] = nullable(cmd.by_user);
  // One copy each for the two agents; supervisors and watchers get one in all.
  st.publish("chat.transferred", event, from, to.empty(), to.empty());
  if (!to.empty())
    st.publish("chat.transferred", event, to, true);
}

/// Back to the queue: the write first, then the agent's slot and the DISPATCHER.
caf::result<json_page> transfer_to_queue(self_ptr self, chat_command& cmd) {
  auto& st = self->state;
  if (st.conversation.status == "queued")
    return make_error(ec::conflict, "the chat is already waiting in the queue");
  auto rp = self->make_response_promise<json_page>();
  auto from = st.conversation.agent_id;
  chat_assignment record{st.conversation.id, agent_id{}, from, "transfer", cmd.reason, cmd.by_user};
  self->request(st.peers.storage, timeouts::commit, std::move(record))
      .await(
          [self, rp, from, cmd](json_page& stored) mutable {
            auto& st = self->state;
            st.back_to_queue(self);
            st.release(self, from);
            announce_move(self, from, cmd);
            rp.deliver(std::move(stored));
          },
          [rp](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

/// To an agent: the AGENT takes the slot first (capacity holds), then the write.
caf::result<json_page> move_to_agent(self_ptr self, chat_command& cmd) {
  auto& st = self->state;
  if (cmd.agent == st.conversation.agent_id)
    return make_error(ec::conflict, "the chat is already with this agent");
  auto target =
      st.peers.agents.table ? st.peers.agents.table->find(cmd.agent) : std::optional<agent_actor>{};
  if (!target)
    return make_error(ec::not_found, "no agent with id " + cmd.agent);
  st.supersede_unsaved(self);
  auto rp = self->make_response_promise<json_page>();
  auto handle = *target;
  self->request(handle, timeouts::offer, atom::offer_v,
                chat_offer{st.conversation.id, st.conversation.campaign_id, true})
      .await(
          [self, rp, cmd](bool accepted) mutable {
            auto& st = self->state;
            if (!accepted) {
              rp.deliver(make_error(ec::no_capacity,
                                    "agent " + cmd.agent + " is offline or has no free slot"));
              return;
            }
            auto from = st.conversation.agent_id;
            chat_assignment record{
                st.conversation.id, agent_id{cmd.agent}, from, from.empty() ? "assign" : "transfer",
                cmd.reason,         cmd.by_user};
            self->request(st.peers.storage, timeouts::commit, std::move(record))
                .await(
                    [self, rp, from, cmd](json_page& stored) mutable {
                      auto& st = self->state;
                      if (st.conversation.status == "queued" && st.peers.dispatcher)
                        self->send(st.peers.dispatcher, atom::remove_v, st.conversation.id);
                      st.conversation.status = "assigned";
                      st.conversation.agent_id = cmd.agent;
                      st.conversation.assigned_at_ms = st.peers.now_ms();
                      st.release(self, from);
                      announce_move(self, from, cmd);
                      rp.deliver(std::move(stored));
                    },
                    [self, rp, cmd](caf::error& err) mutable {
                      self->state.release(self, cmd.agent); // undo the slot it took
                      rp.deliver(err);
                    });
          },
          [rp](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

caf::result<json_page> close_chat(self_ptr self, chat_command& cmd) {
  auto& st = self->state;
  if (!cmd.promise.empty() && st.conversation.debtor_id.empty())
    return make_error(ec::rule_broken,
                      "a promise needs a debtor, and this chat's phone belongs to none");
  st.supersede_unsaved(self);
  auto rp = self->make_response_promise<json_page>();
  self->request(st.peers.storage, timeouts::commit,
                chat_close{st.conversation.id, cmd.outcome, cmd.promise, cmd.by_user})
      .await(
          [self, rp, cmd](json_page& stored) mutable {
            auto& st = self->state;
            auto holder = st.conversation.agent_id;
            if (st.conversation.status == "queued" && st.peers.dispatcher)
              self->send(st.peers.dispatcher, atom::remove_v, st.conversation.id);
            st.conversation.status = "closed";
            st.closed = true;
            st.release(self, holder);
            if (auto registry = caf::actor_cast<chat_registry_actor>(st.peers.registry))
              self->send(registry, atom::remove_v, st.conversation.id);
            auto event = st.summary();
            event["agentId"] = nullable(holder);
            event["outcome"] = cmd.outcome;
            event["byUserId"] = nullable(cmd.by_user);
            st.publish("chat.closed", event, holder);
            rp.deliver(std::move(stored));
            self->quit();
          },
          [rp](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

} // namespace

caf::result<json_page> handle_command(self_ptr self, chat_command& cmd) {
  auto& st = self->state;
  if (st.closed || !st.visible_to(cmd))
    return make_error(ec::not_found, "no open chat " + cmd.chat.value);
  if (cmd.kind == "send")
    return send_message(self, cmd);
  if (cmd.kind == "typing") {
    st.publish("chat.typing", json{{"chatId", st.conversation.id.value}, {"userId", cmd.by_user}});
    return json_page{"{}", 0, true};
  }
  if (cmd.kind == "assign" || cmd.kind == "transfer")
    return cmd.agent.empty() ? transfer_to_queue(self, cmd) : move_to_agent(self, cmd);
  if (cmd.kind == "close")
    return close_chat(self, cmd);
  return make_error(ec::invalid_input, "unknown chat command " + cmd.kind);
}

caf::result<std::int64_t> handle_requeue_check(self_ptr self, const requeue_check& check) {
  auto& st = self->state;
  if (st.closed || st.conversation.agent_id != check.agent.value)
    return std::int64_t{0};
  auto since = std::max(st.conversation.last_reply_at_ms, st.conversation.assigned_at_ms);
  auto left = since + check.idle_ms - st.peers.now_ms();
  if (left > 0)
    return left;
  auto rp = self->make_response_promise<std::int64_t>();
  auto from = st.conversation.agent_id;
  chat_assignment record{st.conversation.id, agent_id{}, from, "requeue", "agent_away", ""};
  self->request(st.peers.storage, timeouts::commit, std::move(record))
      .await(
          [self, rp, from](json_page& stored) mutable {
            auto& st = self->state;
            st.back_to_queue(self);
            st.release(self, from);
            chat_command why;
            why.reason = "agent_away";
            announce_move(self, from, why);
            rp.deliver(std::int64_t{0});
          },
          [self, rp](caf::error& err) mutable {
            spdlog::warn("chat {}: not re-queued yet: {}", self->state.conversation.id.value,
                         caf::to_string(err));
            rp.deliver(std::int64_t{1000}); // look again in a second
          });
  return rp;
}

} // namespace crm
