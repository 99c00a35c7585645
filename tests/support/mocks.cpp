#include "tests/support/mocks.hpp"

#include "domain/error.hpp"

namespace crm::test {

storage_actor::behavior_type mock_storage(storage_actor::pointer, storage_script_ptr s) {
  return {
      [s](atom::flush, atom::ok) { return !s->fail_writes; },
      [s](append_message& msg) -> caf::result<inbound_ack> {
        s->appends.push_back(msg);
        if (s->fail_writes)
          return make_error(ec::storage_unavailable, "mock: down");
        auto key = msg.number.value + "|" + msg.message.provider_id;
        auto [it, fresh] =
            s->stored.try_emplace(key, "msg-" + std::to_string(s->stored.size() + 1));
        return inbound_ack{message_id{it->second}, msg.chat, !fresh};
      },
      [s](status_event& ev) -> caf::result<std::vector<message_status_changed>> {
        s->statuses.push_back(ev);
        if (s->fail_writes)
          return make_error(ec::storage_unavailable, "mock: down");
        return std::vector<message_status_changed>{};
      },
      [s](provider_event& ev) -> caf::result<atom::ok> {
        s->events.push_back(ev);
        if (s->fail_writes)
          return make_error(ec::storage_unavailable, "mock: down");
        return atom::ok_v;
      },
      [s](open_chat_request& req) -> caf::result<chat_snapshot> {
        s->opens.push_back(req);
        chat_snapshot snap;
        snap.id.value = "chat-" + req.phone;
        snap.number = req.number;
        snap.debtor_phone = req.phone;
        snap.status = "queued";
        snap.priority = "BAJA";
        return snap;
      },
      [s](number_lookup& req) -> caf::result<number_info> {
        s->lookups.push_back(req);
        number_info info;
        if (s->known_numbers.count(req.number_key)) {
          info.found = true;
          info.id.value = "number-" + req.number_key;
        }
        return info;
      },
      [s](atom::load) -> caf::result<std::vector<chat_snapshot>> { return s->open_chats; },
      [](audit_entry&) -> caf::result<atom::ok> { return atom::ok_v; },
      [](atom::load, atom::agents) -> caf::result<std::vector<agent_profile>> {
        return std::vector<agent_profile>{};
      },
      [](atom::load, atom::campaigns) -> caf::result<std::vector<campaign_routing>> {
        return std::vector<campaign_routing>{};
      },
      [](chat_query&) -> caf::result<json_page> {
        return json_page{"[]", 0, true};
      },
      [](message_query&) -> caf::result<json_page> {
        return json_page{"[]", 0, true};
      },
      [](media_query&) -> caf::result<media_ref> { return media_ref{}; },
      [s](agent_status_event& ev) -> caf::result<atom::ok> {
        s->statuses_recorded.push_back(ev);
        return atom::ok_v;
      },
      [s](chat_assignment& a) -> caf::result<json_page> {
        s->assignments.push_back(a);
        if (s->assignment_failures_left > 0) {
          --s->assignment_failures_left;
          return make_error(ec::storage_unavailable, "mock: down");
        }
        if (s->closed_chats.count(a.chat.value))
          return make_error(ec::not_found, "mock: closed");
        return json_page{R"({"id":")" + a.chat.value + R"(","agentId":")" + a.agent.value + "\"}",
                         1, true};
      },
      [s](chat_close& c) -> caf::result<json_page> {
        s->closes.push_back(c);
        if (s->fail_writes)
          return make_error(ec::storage_unavailable, "mock: down");
        s->closed_chats.insert(c.chat.value);
        return json_page{R"({"id":")" + c.chat.value + R"(","status":"closed"})", 1, true};
      },
      [s](outbound_message& m) -> caf::result<stored_message> {
        s->outbound.push_back(m);
        if (s->fail_writes)
          return make_error(ec::storage_unavailable, "mock: down");
        auto id = "out-" + std::to_string(s->outbound.size());
        s->chat_of_outbound[id] = m.chat.value;
        return stored_message{message_id{id}, R"({"id":")" + id + R"(","chatId":")" + m.chat.value +
                                                  R"(","direction":"out","status":"pending"})"};
      },
      [s](send_outcome& o) -> caf::result<message_status_changed> {
        s->outcomes.push_back(o);
        message_status_changed c;
        c.id = o.id;
        c.chat.value = s->chat_of_outbound[o.id.value];
        c.status = o.status;
        c.provider_id = o.provider_id;
        c.error = o.error;
        return c;
      },
      [s](atom::attempt, message_id& id) -> caf::result<atom::ok> {
        s->attempts.push_back(id.value);
        return atom::ok_v;
      },
      [s](atom::load, atom::outbox, number_id&) -> caf::result<std::vector<outbound_job>> {
        return s->outbox;
      },
      [](number_change& c) -> caf::result<number_saved> {
        return make_error(ec::not_found, "mock: no numbers " + c.id.value);
      },
      [](number_health&) -> caf::result<atom::ok> { return atom::ok_v; },
      [](number_query&) -> caf::result<json_page> {
        return json_page{"[]", 0, true};
      },
      [](atom::load, atom::numbers) -> caf::result<std::vector<number_profile>> {
        return std::vector<number_profile>{};
      },
      [](atom::ping) -> caf::result<atom::ok> { return atom::ok_v; },
  };
}

void recording_responder::reply(unsigned st, std::string, std::string b) {
  ++answers;
  status = st;
  body = std::move(b);
}

void recording_responder::fail(const caf::error& err) {
  ++answers;
  error = err;
  status = code_of(err) == ec::storage_unavailable ? 503 : 500;
}

} // namespace crm::test
