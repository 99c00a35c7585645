#include "actors/chat_registry.hpp"

#include "tests/actors/fixture.hpp"

#include <boost/test/unit_test.hpp>

using namespace crm;
using namespace crm::test;

namespace {

struct registry_fixture : actor_fixture {
  void start() {
    aut = sys.spawn(crm::chat_registry, chat_peers{storage});
    run(); // loads the open chats
  }
  chat_registry_actor aut;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(chat_registry, registry_fixture)

BOOST_AUTO_TEST_CASE(messages_for_a_new_chat_wait_for_one_chat_row) {
  start();
  self->send(aut, envelope("+573001112233", "wamid.1"));
  self->send(aut, envelope("+573001112233", "wamid.2"));
  run();
  auto a = next_ack();
  auto b = next_ack();
  BOOST_CHECK_EQUAL(script->opens.size(), 1u);
  BOOST_CHECK_EQUAL(script->appends.size(), 2u);
  BOOST_CHECK_EQUAL(a.chat.value, "chat-+573001112233");
  BOOST_CHECK_EQUAL(b.chat.value, a.chat.value);
  BOOST_CHECK_EQUAL(state_of<chat_registry_state>(aut).chats.size(), 1u);
}

BOOST_AUTO_TEST_CASE(each_phone_gets_its_own_chat) {
  start();
  self->send(aut, envelope("+573001112233", "wamid.1"));
  self->send(aut, envelope("+573004445566", "wamid.2"));
  run();
  auto a = next_ack();
  auto b = next_ack();
  BOOST_CHECK_EQUAL(script->opens.size(), 2u);
  BOOST_CHECK(a.chat.value != b.chat.value);
}

BOOST_AUTO_TEST_CASE(open_chats_loaded_at_start_need_no_storage_lookup) {
  chat_snapshot snap;
  snap.id.value = "chat-from-before";
  snap.number.value = "number-1";
  snap.debtor_phone = "+573001112233";
  snap.status = "assigned";
  script->open_chats.push_back(snap);
  start();
  BOOST_CHECK_EQUAL(state_of<chat_registry_state>(aut).dormant.size(), 1u);
  self->send(aut, envelope("+573001112233", "wamid.1"));
  run();
  BOOST_CHECK_EQUAL(next_ack().chat.value, "chat-from-before");
  BOOST_CHECK(script->opens.empty());
  BOOST_CHECK(state_of<chat_registry_state>(aut).dormant.empty());
}

BOOST_AUTO_TEST_CASE(known_numbers_are_cached_and_unknown_ones_asked_again) {
  script->known_numbers = {"100000000000001"};
  start();
  auto lookup = [&](const std::string& key) {
    self->send(aut, number_lookup{"meta", key});
    run();
    number_info info;
    self->receive([&](number_info& i) { info = i; });
    return info;
  };
  BOOST_CHECK(lookup("100000000000001").found);
  BOOST_CHECK(lookup("100000000000001").found);
  BOOST_CHECK(!lookup("999").found);
  BOOST_CHECK(!lookup("999").found); // a number added later must be seen at once
  BOOST_CHECK_EQUAL(script->lookups.size(), 3u);
}

BOOST_AUTO_TEST_CASE(shutdown_reaches_the_chats) {
  start();
  self->send(aut, envelope("+573001112233", "wamid.1"));
  run();
  next_ack();
  auto chat = state_of<chat_registry_state>(aut).chats.begin()->second;
  self->monitor(chat);
  self->send_exit(aut, caf::exit_reason::user_shutdown);
  run();
  bool down = false;
  self->receive([&](caf::down_msg& dm) { down = dm.source == chat.address(); });
  BOOST_CHECK(down);
}

BOOST_AUTO_TEST_SUITE_END()
