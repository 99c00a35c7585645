// Chats, agents and the dispatcher together: what people do to a chat (send, assign,
// transfer, close) and what happens to the chats of an agent who is away.
#include "actors/agent.hpp"
#include "actors/chat_registry.hpp"
#include "actors/dispatcher.hpp"
#include "actors/number_pool.hpp"
#include "tests/actors/fixture.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>

using namespace crm;
using namespace crm::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

/// The events a WS_HUB was asked to push.
using event_log = std::shared_ptr<std::vector<ws_event>>;

ws_hub_actor::behavior_type recording_hub(ws_hub_actor::pointer, event_log log) {
  return {
      [](atom::join, ws_user&, ws_sink_ptr&) {},
      [](atom::leave, std::uint64_t) {},
      [](atom::watch, std::uint64_t, const chat_id&) {},
      [](atom::unwatch, std::uint64_t, const chat_id&) {},
      [log](ws_event& ev) { log->push_back(std::move(ev)); },
      [](atom::status) { return std::uint64_t{0}; },
      [](atom::leave, const std::string&, const std::string&) {},
      [](atom::publish, const ws_event&) { return std::uint64_t{0}; },
      [](agent_directory&) {},
      [](atom::tick, const std::string&) {},
  };
}

/// A provider that takes every message at once, as `wamid.fake-<message id>`.
struct taking_provider final : provider_client {
  void send(const outbound_job& job, std::function<void(provider_reply)> done) override {
    sent.push_back(job);
    provider_reply r;
    r.id = job.id;
    r.http_status = 200;
    r.provider_id = "wamid.fake-" + job.id.value;
    done(std::move(r));
  }
  void fetch_media(const media_ref&, media_callback done) override {
    done(media_blob{"image/jpeg", "fake"});
  }
  std::vector<outbound_job> sent;
};

std::int64_t to_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

struct conversation_fixture : actor_fixture {
  /// Agents A and B (capacity 2, in camp-1); chats as given, loaded at start.
  void start(std::vector<chat_snapshot> open, std::chrono::milliseconds requeue_after = 0ms,
             int capacity = 2) {
    script->open_chats = std::move(open);
    hub = sys.spawn(recording_hub, events);
    dispatcher_options options;
    options.now = [this] {
      return wall_now();
    };
    dispatcher = sys.spawn(crm::dispatcher, assignment_sink_actor{}, options);
    auto table = std::make_shared<std::unordered_map<std::string, agent_actor>>();
    for (auto id : {"agent-a", "agent-b"}) {
      agent_profile p{agent_id{id}, "available", capacity, {}, {"camp-1"}, {}};
      for (auto& c : script->open_chats)
        if (c.agent_id == id)
          p.open_chats.push_back(c.id.value);
      (*table)[id] =
          sys.spawn(crm::agent, std::move(p), agent_peers{dispatcher, storage, hub, requeue_after});
    }
    agents = table;
    number_factory factory;
    factory.client = [this](const number_profile&) -> provider_client_ptr {
      return provider;
    };
    factory.options = [](const number_profile&) {
      return number_options{};
    };
    numbers = sys.spawn(crm::number_pool, std::vector<number_profile>{{number_id{"number-1"}}},
                        storage, factory);
    chat_peers peers{
        storage, hub, dispatcher, {}, agent_directory{std::make_shared<agent_book>(*table)},
        numbers};
    peers.now = [this] {
      return wall_now();
    };
    registry = sys.spawn(crm::chat_registry, peers);
    self->send(dispatcher, assignment_sink_actor{registry});
    for (auto& [id, a] : *table)
      self->send(a, registry);
    self->send(numbers, registry);
    run();
  }

  ~conversation_fixture() {
    for (auto& [id, a] : *agents)
      self->send_exit(a, caf::exit_reason::user_shutdown);
    self->send_exit(dispatcher, caf::exit_reason::user_shutdown);
    self->send_exit(registry, caf::exit_reason::user_shutdown);
    self->send_exit(numbers, caf::exit_reason::user_shutdown);
    run();
  }

  chat_snapshot chat(const std::string& id, const std::string& agent = {},
                     std::int64_t last_reply_ms = 0) {
    chat_snapshot s;
    s.id.value = id;
    s.number.value = "number-1";
    s.debtor_phone = "+57300" + id;
    s.campaign_id = "camp-1";
    s.status = agent.empty() ? "queued" : "assigned";
    s.agent_id = agent;
    s.priority = "BAJA";
    s.queued_at_ms = to_ms(wall_now());
    s.assigned_at_ms = agent.empty() ? 0 : last_reply_ms;
    s.last_reply_at_ms = last_reply_ms;
    return s;
  }

  agent_load load_of(const std::string& agent) {
    self->send(agents->at(agent), atom::status_v);
    run();
    agent_load result;
    self->receive([&](agent_load& l) { result = l; });
    return result;
  }

  /// Sends a command as `who` and returns the reply (JSON) or the error.
  caf::expected<json> command(chat_command cmd, const std::string& who = "boss",
                              const std::string& role = "supervisor") {
    cmd.by_user = who;
    cmd.by_role = role;
    self->send(registry, std::move(cmd));
    run();
    caf::expected<json> result{json{}};
    self->receive([&](json_page& page) { result = json::parse(page.items); },
                  [&](caf::error& err) { result = std::move(err); });
    return result;
  }

  chat_command transfer(const std::string& chat, const std::string& to, std::string reason) {
    chat_command c;
    c.chat.value = chat;
    c.kind = "transfer";
    c.agent = to;
    c.reason = std::move(reason);
    return c;
  }

  /// Events of `name` pushed to `agent`'s room.
  std::vector<json> events_for(const std::string& name, const std::string& agent) const {
    std::vector<json> result;
    for (auto& ev : *events)
      if (ev.name == name && ev.agent_id == agent)
        result.push_back(json::parse(ev.data));
    return result;
  }

  std::string holder_of(const std::string& chat) {
    self->send(registry, requeue_check{chat_id{chat}, agent_id{"nobody"}, 0});
    run(); // also spawns the CHAT if it is dormant
    self->receive([](std::int64_t) {});
    for (auto& a : {"agent-a", "agent-b"}) {
      auto l = load_of(a);
      (void)l;
    }
    std::string result;
    for (auto& [id, h] : *agents)
      if (state_of<agent_state>(h).open_chats.count(chat))
        result += (result.empty() ? "" : ",") + id;
    return result;
  }

  event_log events = std::make_shared<std::vector<ws_event>>();
  std::shared_ptr<taking_provider> provider = std::make_shared<taking_provider>();
  number_pool_actor numbers;
  ws_hub_actor hub;
  dispatcher_actor dispatcher;
  chat_registry_actor registry;
  std::shared_ptr<std::unordered_map<std::string, agent_actor>> agents =
      std::make_shared<std::unordered_map<std::string, agent_actor>>();
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(conversation, conversation_fixture)

BOOST_AUTO_TEST_CASE(a_reply_is_stored_pending_then_sent_and_both_are_pushed) {
  start({chat("c1", "agent-a", to_ms(wall_now()))});
  chat_command send;
  send.chat.value = "c1";
  send.kind = "send";
  send.type = "text";
  send.text = "Buenos días, le escribe su gestor";
  auto reply = command(send, "agent-a", "agent");
  BOOST_REQUIRE(reply);
  BOOST_CHECK_EQUAL((*reply)["status"], "pending");
  BOOST_REQUIRE_EQUAL(script->outbound.size(), 1u);
  BOOST_CHECK_EQUAL(script->outbound[0].sent_by, "agent-a");
  BOOST_REQUIRE_EQUAL(script->outcomes.size(), 1u);
  BOOST_CHECK_EQUAL(script->outcomes[0].status, "sent");
  BOOST_CHECK_EQUAL(script->outcomes[0].provider_id, "wamid.fake-out-1");
  BOOST_REQUIRE_EQUAL(provider->sent.size(), 1u);
  BOOST_CHECK_EQUAL(provider->sent[0].to, "+57300c1");
  BOOST_CHECK_EQUAL(provider->sent[0].text, "Buenos días, le escribe su gestor");
  BOOST_CHECK_EQUAL(script->attempts.size(), 1u); // counted before it left
  BOOST_CHECK_EQUAL(events_for("message.new", "agent-a").size(), 1u);
  auto statuses = events_for("message.status", "agent-a");
  BOOST_REQUIRE_EQUAL(statuses.size(), 1u);
  BOOST_CHECK_EQUAL(statuses[0]["status"], "sent");
  BOOST_CHECK_EQUAL(statuses[0]["id"], "out-1");
}

BOOST_AUTO_TEST_CASE(an_agent_cannot_act_on_another_agents_chat) {
  start({chat("c1", "agent-a", to_ms(wall_now()))});
  chat_command send;
  send.chat.value = "c1";
  send.kind = "send";
  send.type = "text";
  send.text = "hola";
  auto reply = command(send, "agent-b", "agent");
  BOOST_REQUIRE(!reply);
  BOOST_CHECK(code_of(reply.error()) == ec::not_found);
  BOOST_CHECK(script->outbound.empty());
  auto closing = command(transfer("c1", "", "me la llevo"), "agent-b", "agent");
  BOOST_CHECK(!closing);
  BOOST_CHECK(script->assignments.empty());
}

BOOST_AUTO_TEST_CASE(a_transfer_moves_the_slot_records_history_and_tells_both) {
  start({chat("c1", "agent-a", to_ms(wall_now()))});
  auto reply = command(transfer("c1", "agent-b", "habla inglés"), "agent-a", "agent");
  BOOST_REQUIRE(reply);
  BOOST_REQUIRE_EQUAL(script->assignments.size(), 1u);
  auto& record = script->assignments[0];
  BOOST_CHECK_EQUAL(record.kind, "transfer");
  BOOST_CHECK_EQUAL(record.previous_agent, "agent-a");
  BOOST_CHECK_EQUAL(record.agent.value, "agent-b");
  BOOST_CHECK_EQUAL(record.reason, "habla inglés");
  BOOST_CHECK_EQUAL(record.by_user, "agent-a");
  BOOST_CHECK_EQUAL(load_of("agent-a").open_chats, 0);
  BOOST_CHECK_EQUAL(load_of("agent-b").open_chats, 1);
  auto to_a = events_for("chat.transferred", "agent-a");
  auto to_b = events_for("chat.transferred", "agent-b");
  BOOST_REQUIRE_EQUAL(to_a.size(), 1u);
  BOOST_REQUIRE_EQUAL(to_b.size(), 1u);
  BOOST_CHECK_EQUAL(to_b[0]["fromAgentId"], "agent-a");
  BOOST_CHECK_EQUAL(to_b[0]["toAgentId"], "agent-b");
  // The former holder can no longer act on it.
  BOOST_CHECK(!command(transfer("c1", "", "otra vez"), "agent-a", "agent"));
}

BOOST_AUTO_TEST_CASE(a_transfer_to_a_full_agent_is_refused_and_changes_nothing) {
  start({chat("c1", "agent-a", to_ms(wall_now())), chat("c2", "agent-b", to_ms(wall_now()))}, 0ms,
        1);
  auto reply = command(transfer("c1", "agent-b", "supervisor decide"));
  BOOST_REQUIRE(!reply);
  BOOST_CHECK(code_of(reply.error()) == ec::no_capacity);
  BOOST_CHECK(script->assignments.empty());
  BOOST_CHECK_EQUAL(load_of("agent-a").open_chats, 1);
  BOOST_CHECK_EQUAL(load_of("agent-b").open_chats, 1);
}

BOOST_AUTO_TEST_CASE(a_transfer_to_the_queue_goes_to_the_next_free_agent) {
  start({chat("c1", "agent-a", to_ms(wall_now()))});
  // B is the only one left available: the chat must land there.
  self->send(agents->at("agent-a"), status_change{"busy"});
  run();
  self->receive([](agent_load&) {});
  auto reply = command(transfer("c1", "", "cliente pide otro gestor"), "agent-a", "agent");
  BOOST_REQUIRE(reply);
  BOOST_CHECK_EQUAL(script->assignments[0].agent.value, "");
  BOOST_CHECK_EQUAL(script->assignments[0].kind, "transfer");
  BOOST_REQUIRE_EQUAL(script->assignments.size(), 2u); // then the DISPATCHER's assignment
  BOOST_CHECK_EQUAL(script->assignments[1].agent.value, "agent-b");
  BOOST_CHECK_EQUAL(holder_of("c1"), "agent-b");
}

BOOST_AUTO_TEST_CASE(closing_frees_capacity_and_pulls_the_next_queued_chat) {
  start({chat("c1", "agent-a", to_ms(wall_now())), chat("c2", "agent-b", to_ms(wall_now())),
         chat("c3")},
        0ms, 1);
  BOOST_CHECK_EQUAL(holder_of("c3"), ""); // everyone is full
  chat_command close;
  close.chat.value = "c1";
  close.kind = "close";
  close.outcome = "paid";
  auto reply = command(close, "agent-a", "agent");
  BOOST_REQUIRE(reply);
  BOOST_REQUIRE_EQUAL(script->closes.size(), 1u);
  BOOST_CHECK_EQUAL(script->closes[0].outcome, "paid");
  BOOST_CHECK_EQUAL(events_for("chat.closed", "agent-a").size(), 1u);
  BOOST_CHECK_EQUAL(holder_of("c3"), "agent-a");
  BOOST_CHECK_EQUAL(load_of("agent-a").open_chats, 1);
  // The closed chat is gone: commands on it are 404.
  auto again = command(close, "agent-a", "agent");
  BOOST_REQUIRE(!again);
  BOOST_CHECK(code_of(again.error()) == ec::not_found);
}

BOOST_AUTO_TEST_CASE(a_promise_needs_a_debtor) {
  start({chat("c1", "agent-a", to_ms(wall_now()))});
  chat_command close;
  close.chat.value = "c1";
  close.kind = "close";
  close.outcome = "promise";
  close.promise = R"({"amount": 150000, "dueDate": "2026-12-15"})";
  auto reply = command(close, "agent-a", "agent");
  BOOST_REQUIRE(!reply);
  BOOST_CHECK(code_of(reply.error()) == ec::rule_broken);
  BOOST_CHECK(script->closes.empty());
  BOOST_CHECK_EQUAL(load_of("agent-a").open_chats, 1);
}

BOOST_AUTO_TEST_CASE(assigning_by_hand_moves_a_dispatched_chat_and_frees_the_slot) {
  start({chat("c1")}, 0ms, 2);
  // The DISPATCHER gave c1 to someone at start; assigning it by hand to the other one must
  // move it, never leave it counted twice.
  auto first = holder_of("c1");
  BOOST_REQUIRE(first == "agent-a" || first == "agent-b");
  auto other = first == "agent-a" ? "agent-b" : "agent-a";
  chat_command assign;
  assign.chat.value = "c1";
  assign.kind = "assign";
  assign.agent = other;
  BOOST_REQUIRE(command(assign));
  BOOST_CHECK_EQUAL(holder_of("c1"), other);
  BOOST_CHECK_EQUAL(load_of(first).open_chats + load_of(other).open_chats, 1);
}

BOOST_AUTO_TEST_CASE(with_requeue_off_an_offline_agent_keeps_its_chats) {
  start({chat("c1", "agent-a", to_ms(wall_now() - 1h))}, 0ms);
  self->send(agents->at("agent-a"), status_change{"offline"});
  run();
  self->receive([](agent_load&) {});
  advance(10min);
  BOOST_CHECK(script->assignments.empty());
  BOOST_CHECK_EQUAL(holder_of("c1"), "agent-a");
}

BOOST_AUTO_TEST_CASE(an_agent_on_break_loses_only_the_chats_it_left_unanswered) {
  start({chat("c1", "agent-a", to_ms(wall_now() - 6min)),
         chat("c2", "agent-a", to_ms(wall_now() - 1min))},
        5min);
  self->send(agents->at("agent-a"), status_change{"break"});
  run();
  self->receive([](agent_load&) {});
  // c1 had no reply for 6 minutes: back to the queue, and B (available) takes it.
  BOOST_CHECK_EQUAL(holder_of("c1"), "agent-b");
  BOOST_CHECK_EQUAL(holder_of("c2"), "agent-a");
  BOOST_REQUIRE(!script->assignments.empty());
  BOOST_CHECK_EQUAL(script->assignments[0].kind, "requeue");
  BOOST_CHECK_EQUAL(events_for("agent.status", "agent-a").size(), 1u);
  // Four minutes later c2 has gone five minutes without a reply too.
  advance(4min + 1s);
  BOOST_CHECK_EQUAL(holder_of("c2"), "agent-b");
  BOOST_CHECK_EQUAL(load_of("agent-a").open_chats, 0);
}

BOOST_AUTO_TEST_CASE(an_agent_back_from_break_keeps_what_it_still_holds) {
  start({chat("c1", "agent-a", to_ms(wall_now() - 1min))}, 5min);
  self->send(agents->at("agent-a"), status_change{"break"});
  run();
  self->receive([](agent_load&) {});
  self->send(agents->at("agent-a"), status_change{"available"});
  run();
  self->receive([](agent_load&) {});
  advance(5min);
  BOOST_CHECK_EQUAL(holder_of("c1"), "agent-a");
  BOOST_CHECK(script->assignments.empty());
}

BOOST_AUTO_TEST_CASE(joining_a_campaign_pulls_its_waiting_chats) {
  auto other = chat("c9");
  other.campaign_id = "camp-2";
  start({chat("c1", "agent-a", to_ms(wall_now())), chat("c2", "agent-b", to_ms(wall_now())), other},
        0ms, 1);
  BOOST_CHECK_EQUAL(holder_of("c9"), "");
  // Nobody is in camp-2. B gets capacity and joins it.
  self->send(agents->at("agent-b"), agent_update{2, {}, {"camp-1", "camp-2"}});
  run();
  self->receive([](agent_load&) {});
  BOOST_CHECK_EQUAL(load_of("agent-b").open_chats, 2);
  BOOST_CHECK_EQUAL(holder_of("c9"), "agent-b");
}

BOOST_AUTO_TEST_SUITE_END()
