#include "actors/chat.hpp"

#include "tests/actors/fixture.hpp"

#include <boost/test/unit_test.hpp>

using namespace crm;
using namespace crm::test;

namespace {

struct chat_fixture : actor_fixture {
  chat_fixture() {
    chat_snapshot snap;
    snap.id.value = "chat-1";
    snap.number.value = "number-1";
    snap.debtor_phone = "+573001112233";
    snap.status = "queued";
    aut = sys.spawn(crm::chat, snap, chat_peers{storage});
  }
  chat_actor aut;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(chat, chat_fixture)

BOOST_AUTO_TEST_CASE(a_new_message_is_answered_after_storage_with_its_id) {
  self->send(aut, envelope("+573001112233", "wamid.1"));
  run();
  auto ack = next_ack();
  BOOST_CHECK_EQUAL(ack.id.value, "msg-1");
  BOOST_CHECK_EQUAL(ack.chat.value, "chat-1");
  BOOST_CHECK(!ack.duplicate);
  BOOST_REQUIRE_EQUAL(script->appends.size(), 1u);
  BOOST_CHECK_EQUAL(script->appends[0].chat.value, "chat-1");
  BOOST_CHECK_EQUAL(state_of<chat_state>(aut).conversation.unread, 1);
}

BOOST_AUTO_TEST_CASE(retries_arriving_during_the_commit_share_one_write) {
  self->send(aut, envelope("+573001112233", "wamid.1"));
  self->send(aut, envelope("+573001112233", "wamid.1"));
  run();
  auto first = next_ack();
  auto second = next_ack();
  BOOST_CHECK_EQUAL(script->appends.size(), 1u);
  BOOST_CHECK_EQUAL(first.id.value, second.id.value);
  BOOST_CHECK(!first.duplicate);
  BOOST_CHECK(second.duplicate);
  BOOST_CHECK_EQUAL(state_of<chat_state>(aut).conversation.unread, 1);
}

BOOST_AUTO_TEST_CASE(a_known_id_is_answered_without_touching_storage) {
  self->send(aut, envelope("+573001112233", "wamid.1"));
  run();
  auto first = next_ack();
  self->send(aut, envelope("+573001112233", "wamid.1"));
  run();
  auto again = next_ack();
  BOOST_CHECK_EQUAL(script->appends.size(), 1u);
  BOOST_CHECK_EQUAL(again.id.value, first.id.value);
  BOOST_CHECK(again.duplicate);
}

BOOST_AUTO_TEST_CASE(a_storage_failure_is_passed_on_and_not_remembered) {
  script->fail_writes = true;
  self->send(aut, envelope("+573001112233", "wamid.1"));
  run();
  BOOST_CHECK(code_of(next_error()) == ec::storage_unavailable);
  BOOST_CHECK(state_of<chat_state>(aut).in_flight.empty());
  script->fail_writes = false;
  self->send(aut, envelope("+573001112233", "wamid.1"));
  run();
  auto ack = next_ack();
  BOOST_CHECK(!ack.duplicate);
  BOOST_CHECK_EQUAL(script->appends.size(), 2u);
}

BOOST_AUTO_TEST_CASE(memory_of_recent_ids_is_bounded_and_storage_still_dedupes) {
  constexpr size_t n = chat_state::recent_capacity + 44;
  for (size_t i = 0; i < n; ++i)
    self->send(aut, envelope("+573001112233", "wamid." + std::to_string(i)));
  run();
  for (size_t i = 0; i < n; ++i)
    next_ack();
  auto& st = state_of<chat_state>(aut);
  BOOST_CHECK_EQUAL(st.recent.size(), chat_state::recent_capacity);
  BOOST_CHECK(st.known("wamid.0") == nullptr);
  BOOST_CHECK(st.known("wamid." + std::to_string(n - 1)) != nullptr);
  self->send(aut, envelope("+573001112233", "wamid.0")); // forgotten here, known to storage
  run();
  auto ack = next_ack();
  BOOST_CHECK(ack.duplicate);
  BOOST_CHECK_EQUAL(ack.id.value, "msg-1");
  BOOST_CHECK_EQUAL(script->appends.size(), n + 1);
  BOOST_CHECK_EQUAL(st.conversation.unread, static_cast<std::int64_t>(n));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(chat_assignment, chat_fixture)

BOOST_AUTO_TEST_CASE(an_assignment_is_recorded_and_applied) {
  self->send(aut, chat_assigned{chat_id{"chat-1"}, agent_id{"agent-a"}});
  run();
  BOOST_REQUIRE_EQUAL(script->assignments.size(), 1u);
  BOOST_CHECK_EQUAL(script->assignments[0].agent.value, "agent-a");
  BOOST_CHECK_EQUAL(script->assignments[0].kind, "assign");
  auto& st = state_of<chat_state>(aut);
  BOOST_CHECK_EQUAL(st.conversation.status, "assigned");
  BOOST_CHECK_EQUAL(st.conversation.agent_id, "agent-a");
}

BOOST_AUTO_TEST_CASE(an_assignment_is_retried_until_the_database_takes_it) {
  script->assignment_failures_left = 2;
  self->send(aut, chat_assigned{chat_id{"chat-1"}, agent_id{"agent-a"}});
  run();
  BOOST_CHECK_EQUAL(script->assignments.size(), 1u);
  BOOST_CHECK_EQUAL(state_of<chat_state>(aut).conversation.status, "queued");
  advance(std::chrono::seconds(1));
  BOOST_CHECK_EQUAL(script->assignments.size(), 2u);
  advance(std::chrono::seconds(1));
  BOOST_CHECK_EQUAL(script->assignments.size(), 3u);
  BOOST_CHECK_EQUAL(state_of<chat_state>(aut).conversation.status, "assigned");
}

BOOST_AUTO_TEST_SUITE_END()
