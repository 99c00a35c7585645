#include "actors/chat_bot.hpp"

#include "actors/timeouts.hpp"

#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace crm {

namespace {

using json = nlohmann::json;
using self_ptr = actor_pointer<chat_actor, chat_state>;

/// Asks the CRM WORKER; `done` gets the JSON body of a 2xx answer, `failed` anything else.
template <class Done, class Failed>
void ask_crm(self_ptr self, std::string op, json body, Done done, Failed failed) {
  auto& st = self->state;
  api_request req{std::move(op), st.conversation.id.value, body.dump(), client_info{}};
  self->request(st.peers.crm, timeouts::commit, std::move(req))
      .await(
          [done, failed](api_reply& r) mutable {
            if (r.status >= 200 && r.status < 300)
              return done(json::parse(r.body, nullptr, false));
            failed(r.body);
          },
          [failed](caf::error& err) mutable { failed(caf::to_string(err)); });
}

/// Sends a text of the bot (or the system) through the chat's number, then `next`.
template <class Next>
void send_text(self_ptr self, const std::string& text, Next next) {
  auto& st = self->state;
  outbound_message m{st.conversation.id, "text", text, "", ""};
  self->request(st.peers.storage, timeouts::commit, std::move(m))
      .await(
          [self, text, next](stored_message& stored) mutable {
            auto& st = self->state;
            st.publish("message.new", json::parse(stored.json));
            if (st.peers.numbers)
              self->send(st.peers.numbers,
                         outbound_job{stored.id, st.conversation.id, st.conversation.number,
                                      st.conversation.debtor_phone, "text", text, "", 0});
            next();
          },
          [self, next](caf::error& err) mutable {
            spdlog::warn("chat {}: bot message not stored: {}", self->state.conversation.id.value,
                         caf::to_string(err));
            next();
          });
}

const json* node_of(const json& flow, const std::string& id) {
  if (!flow.contains("nodes") || !flow["nodes"].is_array())
    return nullptr;
  for (auto& n : flow["nodes"])
    if (n.is_object() && n.value("id", std::string{}) == id)
      return &n;
  return nullptr;
}

/// Hands the chat to the queue (the bot is done with it), with the flow's skill and
/// priority.
void hand_off(self_ptr self, const std::string& skill, const std::string& priority) {
  auto& st = self->state;
  chat_assignment record{st.conversation.id, agent_id{}, "", "requeue", "bot_handoff", ""};
  self->request(st.peers.storage, timeouts::commit, std::move(record))
      .await(
          [self, skill, priority](json_page&) {
            auto& st = self->state;
            if (!priority.empty())
              st.conversation.priority = priority;
            std::vector<std::string> skills;
            if (!skill.empty())
              skills.push_back(skill);
            st.back_to_queue(self, std::move(skills));
            st.publish("chat.queued", st.summary());
            tell_if_after_hours(self);
          },
          [self, skill, priority](caf::error& err) {
            spdlog::warn("chat {}: bot handoff not saved ({}); retrying",
                         self->state.conversation.id.value, caf::to_string(err));
            self->delayed_send(self, std::chrono::seconds(1), atom::bot_v, std::int64_t{-1});
          });
}

/// Ends the chat from inside: the same path as a person's close.
void close_as(self_ptr self, const std::string& outcome) {
  chat_command cmd;
  cmd.chat = self->state.conversation.id;
  cmd.kind = "close";
  cmd.by_role = "bot";
  cmd.outcome = outcome;
  caf::anon_send(chat_actor{self}, std::move(cmd)); // its answer goes to no one
}

void arm_timer(self_ptr self) {
  auto& st = self->state;
  auto deadline = st.bot.session.deadline_ms;
  if (deadline <= 0 || st.bot.session.finished)
    return;
  auto wait = std::max<std::int64_t>(deadline - st.peers.now_ms(), 0);
  self->delayed_send(self, std::chrono::milliseconds(wait), atom::bot_v, deadline);
}

void pump(self_ptr self);

/// Carries out effects[i..] in order, then saves the session with the actions.
void run_effects(self_ptr self, std::shared_ptr<std::vector<bot::effect>> effects, std::size_t i,
                 json actions) {
  auto& st = self->state;
  for (; i < effects->size(); ++i) {
    auto& e = (*effects)[i];
    if (e.what == bot::effect::kind::send)
      return send_text(self, e.text,
                       [self, effects, i, actions] { run_effects(self, effects, i + 1, actions); });
    if (e.what == bot::effect::kind::action)
      actions.push_back({{"action", e.action}, {"params", e.params}});
  }
  // The last effect decides what becomes of the chat.
  const bot::effect* last = effects->empty() ? nullptr : &effects->back();
  json body = {{"session", st.bot.session.to_json()}, {"actions", actions}};
  if (last && last->what == bot::effect::kind::transfer && !last->priority.empty())
    body["priority"] = last->priority;
  auto finish = [self, effects] {
    auto& st = self->state;
    st.bot.busy = false;
    const bot::effect* last = effects->empty() ? nullptr : &effects->back();
    if (last && last->what == bot::effect::kind::transfer)
      return hand_off(self, last->skill, last->priority);
    if (last && last->what == bot::effect::kind::end) {
      auto node = node_of(st.bot.flow, st.bot.session.node);
      auto outcome = node ? node->value("outcome", std::string{}) : std::string{};
      return close_as(self, outcome.empty() ? "call_back" : outcome);
    }
    arm_timer(self);
    pump(self);
  };
  ask_crm(
      self, "bot.apply", std::move(body), [finish](const json&) { finish(); },
      [self, finish](const std::string& why) {
        spdlog::warn("chat {}: bot session not saved: {}", self->state.conversation.id.value, why);
        finish();
      });
}

void pump(self_ptr self) {
  auto& st = self->state;
  auto& bot = st.bot;
  if (bot.busy || !bot.loaded || bot.pending.empty() || st.closed ||
      st.conversation.status != "bot")
    return;
  auto event = bot.pending.front();
  bot.pending.pop_front();
  if (bot.flow.is_null()) {
    // No flow (an outreach chat of a campaign without a bot): people answer.
    bot.pending.clear();
    return hand_off(self, "", "");
  }
  bot.busy = true;
  auto effects = std::make_shared<std::vector<bot::effect>>(
      bot::step(bot.flow, bot.session, bot.context, event));
  if (effects->empty() && !bot.session.finished) {
    bot.busy = false;
    arm_timer(self);
    return pump(self);
  }
  run_effects(self, effects, 0, json::array());
}

void load(self_ptr self) {
  auto& bot = self->state.bot;
  if (bot.loaded || bot.loading)
    return;
  bot.loading = true;
  ask_crm(
      self, "bot.context", json::object(),
      [self](const json& ctx) {
        auto& bot = self->state.bot;
        bot.loading = false;
        bot.loaded = true;
        bot.flow = ctx.value("flow", json());
        bot.context = ctx.value("context", json::object());
        bot.session = bot::session::from_json(ctx.value("session", json()));
        arm_timer(self);
        pump(self);
      },
      [self](const std::string& why) {
        auto& bot = self->state.bot;
        bot.loading = false;
        spdlog::warn("chat {}: bot not loaded ({}); retrying", self->state.conversation.id.value,
                     why);
        self->delayed_send(self, std::chrono::seconds(1), atom::bot_v, std::int64_t{0});
      });
}

} // namespace

void bot_start(self_ptr self) {
  if (self->state.conversation.status == "bot")
    load(self);
}

void bot_message(self_ptr self, const inbound_message& m) {
  auto& st = self->state;
  bot::event e;
  e.what = bot::event::kind::message;
  e.text = m.text;
  e.type = m.type;
  e.now_ms = st.peers.now_ms();
  st.bot.pending.push_back(std::move(e));
  load(self);
  pump(self);
}

void bot_timer(self_ptr self, std::int64_t deadline_ms) {
  auto& st = self->state;
  if (st.closed || st.conversation.status != "bot")
    return;
  if (deadline_ms == 0) // a failed load is retried
    return load(self);
  if (deadline_ms < 0) { // a failed handoff is retried
    st.bot.session.finished = true;
    return hand_off(self, "", "");
  }
  if (deadline_ms != st.bot.session.deadline_ms)
    return; // an older wait, answered since
  bot::event e;
  e.what = bot::event::kind::timeout;
  e.now_ms = std::max(st.peers.now_ms(), deadline_ms);
  st.bot.pending.push_back(std::move(e));
  pump(self);
}

void handle_opt_out(self_ptr self) {
  auto& st = self->state;
  ask_crm(
      self, "contacts.opt_out", json{{"phone", st.conversation.debtor_phone}},
      [self](const json& r) {
        auto& st = self->state;
        auto after = [self] {
          auto& st = self->state;
          if (st.closed)
            return;
          if (st.conversation.status == "bot") {
            st.bot.pending.clear();
            st.bot.session.finished = true;
            return close_as(self, "refused");
          }
          st.publish("debtor.opted_out", {{"chatId", st.conversation.id.value},
                                          {"debtorId", st.conversation.debtor_id}});
        };
        if (r.value("confirm", false) && !r.value("reply", std::string{}).empty())
          return send_text(self, r["reply"].get<std::string>(), after);
        after();
      },
      [self](const std::string& why) {
        spdlog::error("chat {}: opt-out not recorded: {}", self->state.conversation.id.value, why);
      });
}

void tell_if_after_hours(self_ptr self) {
  auto& st = self->state;
  constexpr std::int64_t minute = 60 * 1000;
  auto now = st.peers.now_ms();
  if (st.conversation.campaign_id.empty() || now < st.after_hours_next_ms)
    return;
  // Not asked again while the question is out, nor on every message of a busy chat.
  st.after_hours_next_ms = now + 5 * minute;
  ask_crm(
      self, "campaigns.hours", json{{"campaignId", st.conversation.campaign_id}},
      [self, now](const json& r) {
        auto& st = self->state;
        if (r.value("open", true) || r.value("reply", std::string{}).empty() || st.closed ||
            st.conversation.status != "queued")
          return;
        st.after_hours_next_ms = now + 12 * 60 * minute;
        send_text(self, r["reply"].get<std::string>(), [] {});
      },
      [self](const std::string& why) {
        self->state.after_hours_next_ms = 0;
        spdlog::warn("chat {}: business hours not known: {}", self->state.conversation.id.value,
                     why);
      });
}

} // namespace crm
