#include "actors/dispatcher.hpp"

#include "actors/agent.hpp"
#include "tests/actors/fixture.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/send.hpp>

#include <chrono>
#include <memory>

using namespace crm;
using namespace crm::test;
using namespace std::chrono_literals;

namespace {

/// Records the DISPATCHER's decisions.
struct decisions {
  std::vector<chat_assigned> made;
  size_t count_for(const std::string& agent) const {
    size_t n = 0;
    for (auto& d : made)
      n += d.agent.value == agent;
    return n;
  }
};

assignment_sink_actor::behavior_type recording_sink(assignment_sink_actor::pointer,
                                                    std::shared_ptr<decisions> log) {
  return {[log](chat_assigned& d) {
    log->made.push_back(std::move(d));
  }};
}

struct dispatcher_fixture : deterministic_fixture {
  dispatcher_fixture()
      : log{std::make_shared<decisions>()}, script{std::make_shared<storage_script>()},
        storage{sys.spawn(mock_storage, script)} {
    auto sink = sys.spawn(recording_sink, log);
    dispatcher_options options;
    options.skills_fallback_after = 120s;
    options.now = [this] {
      return wall_now();
    };
    aut = sys.spawn(crm::dispatcher, sink, options);
    run();
  }

  agent_actor add_agent(const std::string& id, int capacity, std::string status = "available",
                        std::vector<std::string> skills = {},
                        std::vector<std::string> campaigns = {"camp-1"}) {
    agent_profile p{agent_id{id},      std::move(status),    capacity,
                    std::move(skills), std::move(campaigns), {}};
    auto a = sys.spawn(crm::agent, std::move(p), agent_peers{aut, storage});
    agents.push_back(a);
    run();
    return a;
  }

  void wait(const std::string& chat, const std::string& prio = "BAJA", std::int64_t age_ms = 0,
            const std::string& campaign = "camp-1") {
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(wall_now().time_since_epoch())
                   .count();
    caf::anon_send(aut, chat_waiting{chat_id{chat}, campaign, prio, now - age_ms, {}});
    run();
  }

  agent_load load_of(const agent_actor& a) {
    self->send(a, atom::status_v);
    run();
    agent_load result;
    self->receive([&](agent_load& l) { result = l; });
    return result;
  }

  std::vector<chat_waiting> queue() {
    self->send(aut, atom::queue_v);
    run();
    std::vector<chat_waiting> result;
    self->receive([&](std::vector<chat_waiting>& q) { result = q; });
    return result;
  }

  // Agents and the dispatcher hold each other's handles: stop them, or the system waits.
  ~dispatcher_fixture() {
    for (auto& a : agents)
      self->send_exit(a, caf::exit_reason::user_shutdown);
    self->send_exit(aut, caf::exit_reason::user_shutdown);
    run();
  }

  std::shared_ptr<decisions> log;
  storage_script_ptr script;
  storage_actor storage;
  dispatcher_actor aut;
  std::vector<agent_actor> agents;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(dispatcher, dispatcher_fixture)

BOOST_AUTO_TEST_CASE(two_chats_for_the_last_free_slot_give_one_assignment) {
  auto a = add_agent("agent-a", 1);
  wait("chat-1");
  wait("chat-2");
  BOOST_REQUIRE_EQUAL(log->made.size(), 1u);
  BOOST_CHECK_EQUAL(log->made[0].chat.value, "chat-1");
  BOOST_CHECK_EQUAL(load_of(a).open_chats, 1);
  auto q = queue();
  BOOST_REQUIRE_EQUAL(q.size(), 1u);
  BOOST_CHECK_EQUAL(q[0].chat.value, "chat-2");
}

BOOST_AUTO_TEST_CASE(capacity_is_never_exceeded_when_chats_pour_in) {
  auto a = add_agent("agent-a", 3);
  auto b = add_agent("agent-b", 2);
  for (int i = 0; i < 20; ++i)
    caf::anon_send(
        aut, chat_waiting{chat_id{"chat-" + std::to_string(i)}, "camp-1", "BAJA", 1000 + i, {}});
  run();
  BOOST_CHECK_EQUAL(log->made.size(), 5u);
  BOOST_CHECK_EQUAL(load_of(a).open_chats, 3);
  BOOST_CHECK_EQUAL(load_of(b).open_chats, 2);
  BOOST_CHECK_EQUAL(queue().size(), 15u);
}

BOOST_AUTO_TEST_CASE(a_released_chat_pulls_the_next_queued_one) {
  auto a = add_agent("agent-a", 1);
  wait("chat-1");
  wait("chat-2");
  BOOST_REQUIRE_EQUAL(log->made.size(), 1u);
  caf::anon_send(a, atom::released_v, chat_id{"chat-1"}); // closed or transferred away
  run();
  BOOST_REQUIRE_EQUAL(log->made.size(), 2u);
  BOOST_CHECK_EQUAL(log->made[1].chat.value, "chat-2");
  BOOST_CHECK(queue().empty());
}

BOOST_AUTO_TEST_CASE(urgent_debtors_are_served_before_older_low_priority_ones) {
  wait("chat-baja-old", "BAJA", 60000);
  wait("chat-alta", "ALTA", 1000);
  wait("chat-urgente", "URGENTE", 10);
  auto q = queue();
  BOOST_REQUIRE_EQUAL(q.size(), 3u);
  BOOST_CHECK_EQUAL(q[0].chat.value, "chat-urgente");
  BOOST_CHECK_EQUAL(q[2].chat.value, "chat-baja-old");
  add_agent("agent-a", 1);
  BOOST_REQUIRE_EQUAL(log->made.size(), 1u);
  BOOST_CHECK_EQUAL(log->made[0].chat.value, "chat-urgente");
}

BOOST_AUTO_TEST_CASE(agents_on_break_or_offline_get_nothing_and_keep_their_chats) {
  auto a = add_agent("agent-a", 5);
  wait("chat-1");
  BOOST_REQUIRE_EQUAL(log->made.size(), 1u);
  self->send(a, status_change{"break"});
  run();
  self->receive([](agent_load&) {});
  wait("chat-2");
  BOOST_CHECK_EQUAL(log->made.size(), 1u);
  BOOST_CHECK_EQUAL(load_of(a).open_chats, 1); // chat-1 stays with the agent
  self->send(a, status_change{"available"});
  run();
  self->receive([](agent_load&) {});
  BOOST_REQUIRE_EQUAL(log->made.size(), 2u);
  BOOST_CHECK_EQUAL(log->made[1].chat.value, "chat-2");
}

BOOST_AUTO_TEST_CASE(an_invalid_status_is_refused_and_changes_nothing) {
  auto a = add_agent("agent-a", 5);
  self->send(a, status_change{"napping"});
  run();
  bool refused = false;
  self->receive([](agent_load&) {},
                [&](caf::error& err) { refused = code_of(err) == ec::invalid_input; });
  BOOST_CHECK(refused);
  BOOST_CHECK_EQUAL(load_of(a).status, "available");
}

BOOST_AUTO_TEST_CASE(agents_outside_the_campaign_are_not_offered_its_chats) {
  add_agent("agent-other", 5, "available", {}, {"camp-2"});
  wait("chat-1", "BAJA", 0, "camp-1");
  BOOST_CHECK(log->made.empty());
  add_agent("agent-mine", 5, "available", {}, {"camp-1"});
  BOOST_REQUIRE_EQUAL(log->made.size(), 1u);
  BOOST_CHECK_EQUAL(log->made[0].agent.value, "agent-mine");
}

BOOST_AUTO_TEST_CASE(round_robin_rotates_over_the_campaign_agents) {
  caf::anon_send(aut, campaign_routing{"camp-1", "round_robin", {}});
  run();
  for (auto id : {"agent-a", "agent-b", "agent-c"})
    add_agent(id, 10);
  for (int i = 0; i < 6; ++i)
    wait("chat-" + std::to_string(i));
  BOOST_REQUIRE_EQUAL(log->made.size(), 6u);
  for (auto id : {"agent-a", "agent-b", "agent-c"})
    BOOST_CHECK_EQUAL(log->count_for(id), 2u);
}

BOOST_AUTO_TEST_CASE(skills_based_waits_for_a_skilled_agent_then_falls_back) {
  caf::anon_send(aut, campaign_routing{"camp-1", "skills_based", {"legal"}});
  run();
  add_agent("agent-plain", 5, "available", {"cobranza"});
  wait("chat-legal");
  BOOST_CHECK(log->made.empty());
  advance(60s);
  BOOST_CHECK(log->made.empty());
  advance(61s); // past the 120 s fallback: any eligible agent will do
  BOOST_REQUIRE_EQUAL(log->made.size(), 1u);
  BOOST_CHECK_EQUAL(log->made[0].agent.value, "agent-plain");
}

BOOST_AUTO_TEST_CASE(skills_based_prefers_the_skilled_agent) {
  caf::anon_send(aut, campaign_routing{"camp-1", "skills_based", {"legal"}});
  run();
  add_agent("agent-plain", 5, "available", {"cobranza"});
  add_agent("agent-legal", 5, "available", {"cobranza", "legal"});
  wait("chat-legal");
  BOOST_REQUIRE_EQUAL(log->made.size(), 1u);
  BOOST_CHECK_EQUAL(log->made[0].agent.value, "agent-legal");
}

BOOST_AUTO_TEST_CASE(a_removed_chat_is_not_assigned) {
  wait("chat-1");
  caf::anon_send(aut, atom::remove_v, chat_id{"chat-1"});
  run();
  add_agent("agent-a", 5);
  BOOST_CHECK(log->made.empty());
  BOOST_CHECK(queue().empty());
}

BOOST_AUTO_TEST_SUITE_END()
