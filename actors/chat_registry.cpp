#include "actors/chat_registry.hpp"

#include "metrics/metrics.hpp"

#include "actors/chat.hpp"
#include "actors/timeouts.hpp"

#include <caf/actor_cast.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>

namespace crm {

std::string chat_registry_state::key_of(const number_id& number, const std::string& phone) {
  return number.value + "|" + phone;
}

void chat_registry_state::remember(const std::string& key, const chat_snapshot& snapshot) {
  key_by_chat[snapshot.id.value] = key;
  if (snapshot.status == "queued" && peers.dispatcher)
    self->send(
        peers.dispatcher,
        chat_waiting{
            snapshot.id, snapshot.campaign_id, snapshot.priority, snapshot.queued_at_ms, {}});
}

chat_actor chat_registry_state::spawn_chat(const std::string& key, chat_snapshot snapshot) {
  auto handle = self->spawn(chat, std::move(snapshot), peers);
  self->monitor(handle);
  chats.emplace(key, handle);
  active[key].last = self->clock().now();
  update_gauges();
  arm_sweep();
  return handle;
}

void chat_registry_state::arm_sweep() {
  if (sweep_armed || chats.empty())
    return;
  sweep_armed = true;
  // A few looks per idle period, at least one a minute.
  auto every = std::clamp<caf::timespan>(peers.idle_after / 4, std::chrono::milliseconds(250),
                                         std::chrono::minutes(1));
  self->delayed_send(self, every, atom::passivate_v);
}

chat_actor chat_registry_state::find(const std::string& chat) {
  auto key = key_by_chat.find(chat);
  return key == key_by_chat.end() ? chat_actor{} : live(key->second);
}

chat_actor chat_registry_state::live(const std::string& key) {
  chat_actor handle;
  if (auto it = chats.find(key); it != chats.end()) {
    handle = it->second;
  } else if (auto it = dormant.find(key); it != dormant.end()) {
    auto snap = std::move(it->second);
    dormant.erase(it);
    handle = spawn_chat(key, std::move(snap));
  } else {
    return {};
  }
  auto& a = active[key];
  a.last = self->clock().now();
  ++a.routed;
  return handle;
}

void chat_registry_state::passivate_idle() {
  auto now = self->clock().now();
  for (auto& [key, handle] : chats) {
    auto& a = active[key];
    if (a.asked || now - a.last < peers.idle_after)
      continue;
    a.asked = true;
    self->request(handle, timeouts::read, atom::passivate_v)
        .then(
            [this, key = key, routed = a.routed](chat_snapshot& snap) {
              auto it = chats.find(key);
              auto act = active.find(key);
              if (it == chats.end() || act == active.end())
                return; // closed meanwhile
              act->second.asked = false;
              if (act->second.routed != routed)
                return; // something reached it since it answered: it stays awake
              auto handle = it->second;
              chats.erase(it);
              active.erase(act);
              dormant.emplace(key, std::move(snap));
              self->send_exit(handle, caf::exit_reason::user_shutdown);
              update_gauges();
            },
            [this, key = key](caf::error&) {
              // Busy (or gone): asked again at a later round.
              if (auto act = active.find(key); act != active.end())
                act->second.asked = false;
            });
  }
}

void chat_registry_state::update_gauges() const {
  metrics::open_chats().Set(static_cast<double>(chats.size() + dormant.size()));
  metrics::live_chats().Set(static_cast<double>(chats.size()));
}

namespace {

void load_open_chats(actor_pointer<chat_registry_actor, chat_registry_state> self) {
  self->request(self->state.peers.storage, timeouts::startup, atom::load_v)
      .then(
          [self](std::vector<chat_snapshot>& open) {
            auto& st = self->state;
            for (auto& snap : open) {
              auto key = chat_registry_state::key_of(snap.number, snap.debtor_phone);
              if (st.chats.count(key))
                continue;
              st.remember(key, snap);
              // A chat with the bot may have a timer running: it lives from the start.
              if (snap.status == "bot")
                st.spawn_chat(key, std::move(snap));
              else
                st.dormant.emplace(std::move(key), std::move(snap));
            }
            spdlog::info("registry: {} open chats loaded", st.dormant.size());
            st.update_gauges();
          },
          [](caf::error& err) {
            spdlog::warn("registry: open chats not loaded ({}); they come back on their next "
                         "message",
                         caf::to_string(err));
          });
}

} // namespace

chat_registry_actor::behavior_type
chat_registry(actor_pointer<chat_registry_actor, chat_registry_state> self, chat_peers peers) {
  self->state.peers = std::move(peers);
  self->state.peers.registry = self->address();
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& chats = self->state.chats;
    // A closed chat was forgotten already; only one that failed is still here.
    for (auto it = chats.begin(); it != chats.end(); ++it)
      if (it->second.address() == dm.source) {
        if (dm.reason)
          spdlog::error("registry: chat {} stopped: {}", it->first, caf::to_string(dm.reason));
        self->state.active.erase(it->first);
        chats.erase(it);
        break;
      }
    self->state.update_gauges();
  });
  // Chats are not linked to the REGISTRY (one failing chat must not take it down), so a
  // shutdown is passed on to them by hand.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    for (auto& [key, handle] : self->state.chats)
      self->send_exit(handle, msg.reason);
    self->quit(msg.reason);
  });
  load_open_chats(self);
  return {
      [self](inbound_envelope& env) -> caf::result<inbound_ack> {
        auto& st = self->state;
        auto key = chat_registry_state::key_of(env.number, env.message.from);
        if (auto chat = st.live(key))
          return self->delegate(chat, std::move(env));
        auto rp = self->make_response_promise<inbound_ack>();
        auto [queue, first] = st.opening.try_emplace(key);
        open_chat_request req{env.number, env.message.from, env.message.contact_name};
        queue->second.push_back({std::move(env), rp});
        if (!first)
          return rp;
        self->request(st.peers.storage, timeouts::read, std::move(req))
            .then(
                [self, key](chat_snapshot& snap) {
                  auto& st = self->state;
                  st.remember(key, snap);
                  auto handle = st.spawn_chat(key, std::move(snap));
                  auto queued = std::move(st.opening[key]);
                  st.opening.erase(key);
                  for (auto& w : queued)
                    w.promise.delegate(handle, std::move(w.envelope));
                },
                [self, key](caf::error& err) {
                  auto& st = self->state;
                  auto queued = std::move(st.opening[key]);
                  st.opening.erase(key);
                  for (auto& w : queued)
                    w.promise.deliver(err);
                });
        return rp;
      },
      [self](outreach_request& req) -> caf::result<json_page> {
        auto& st = self->state;
        chat_command send;
        send.kind = "send";
        send.by_user = req.by_user;
        send.by_role = "system"; // reserved under the contact rules already
        send.type = "template";
        send.details = req.template_json;
        auto key = chat_registry_state::key_of(req.number, req.phone);
        if (auto chat = st.live(key))
          return self->delegate(chat, std::move(send));
        auto rp = self->make_response_promise<json_page>();
        open_chat_request open{req.number, req.phone, "", "bot"};
        self->request(st.peers.storage, timeouts::read, std::move(open))
            .then(
                [self, key, rp, send](chat_snapshot& snap) mutable {
                  auto& st = self->state;
                  chat_actor handle;
                  if (auto it = st.chats.find(key); it != st.chats.end()) {
                    handle = it->second; // opened meanwhile by the debtor's own message
                  } else {
                    st.remember(key, snap);
                    handle = st.spawn_chat(key, snap);
                  }
                  send.chat = snap.id;
                  rp.delegate(handle, std::move(send));
                },
                [rp](caf::error& err) mutable { rp.deliver(err); });
        return rp;
      },
      [self](number_lookup& req) -> caf::result<number_info> {
        auto& st = self->state;
        auto key = req.provider + ":" + req.number_key;
        if (auto it = st.numbers.find(key); it != st.numbers.end())
          return it->second;
        auto rp = self->make_response_promise<number_info>();
        self->request(st.peers.storage, timeouts::read, std::move(req))
            .then(
                [self, rp, key](number_info& info) mutable {
                  if (info.found)
                    self->state.numbers.emplace(key, info);
                  rp.deliver(std::move(info));
                },
                [rp](caf::error& err) mutable { rp.deliver(err); });
        return rp;
      },
      [self](chat_assigned& decision) {
        if (auto chat = self->state.find(decision.chat.value))
          self->send(chat, std::move(decision));
        else
          spdlog::warn("registry: chat {} is not open; its assignment is dropped",
                       decision.chat.value);
      },
      [self](chat_command& cmd) -> caf::result<json_page> {
        if (auto chat = self->state.find(cmd.chat.value))
          return self->delegate(chat, std::move(cmd));
        return make_error(ec::not_found, "no open chat " + cmd.chat.value);
      },
      [self](requeue_check& check) -> caf::result<std::int64_t> {
        if (auto chat = self->state.find(check.chat.value))
          return self->delegate(chat, std::move(check));
        return std::int64_t{0};
      },
      [self](message_status_changed& c) {
        if (auto chat = self->state.find(c.chat.value))
          self->send(chat, std::move(c));
        // A closed chat's late statuses are stored; nobody is watching it live.
      },
      [self](atom::passivate) {
        self->state.sweep_armed = false;
        self->state.passivate_idle();
        self->state.arm_sweep();
      },
      [self](atom::remove, const number_id& removed) {
        auto& numbers = self->state.numbers;
        for (auto it = numbers.begin(); it != numbers.end();)
          it = it->second.id == removed ? numbers.erase(it) : std::next(it);
      },
      [self](atom::remove, const chat_id& closed) {
        // The CHAT closed: the next message from its phone opens a new chat.
        auto& st = self->state;
        auto key = st.key_by_chat.find(closed.value);
        if (key == st.key_by_chat.end())
          return;
        st.chats.erase(key->second);
        st.active.erase(key->second);
        st.dormant.erase(key->second);
        st.key_by_chat.erase(key);
        st.update_gauges();
      },
  };
}

} // namespace crm
