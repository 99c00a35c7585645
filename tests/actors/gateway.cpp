#include "actors/gateway.hpp"

#include "actors/chat_registry.hpp"
#include "tests/actors/fixture.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/send.hpp>
#include <nlohmann/json.hpp>

using namespace crm;
using namespace crm::test;

namespace {

struct gateway_fixture : actor_fixture {
  gateway_fixture() {
    script->known_numbers = {"100000000000001"};
    registry = sys.spawn(crm::chat_registry, chat_peers{storage});
    aut = sys.spawn(crm::gateway,
                    gateway_peers{registry, storage, redis_actor{}, dispatcher_actor{},
                                  number_pool_actor{}, identity_worker_actor{}, identity_actor{},
                                  crm_worker_actor{}, nullptr, nullptr});
    run();
  }

  static inbound_message text(const std::string& phone, const std::string& id) {
    return envelope(phone, id).message;
  }

  std::shared_ptr<recording_responder> post(webhook_batch batch) {
    auto out = std::make_shared<recording_responder>();
    caf::anon_send(aut, std::move(batch), responder_ptr{out});
    run();
    return out;
  }

  chat_registry_actor registry;
  gateway_actor aut;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(gateway, gateway_fixture)

BOOST_AUTO_TEST_CASE(a_webhook_is_answered_once_everything_in_it_is_durable) {
  webhook_batch batch{"meta", {}};
  webhook_change known{"100000000000001", {}, {}, {}};
  known.messages = {text("+573001112233", "wamid.1"), text("+573004445566", "wamid.2")};
  known.statuses.push_back(status_update{"wamid.out.1", "delivered", "+573001112233", 1, ""});
  webhook_change unknown{"555", {text("+573007778899", "wamid.3")}, {}, {}};
  batch.changes = {known, unknown};
  auto out = post(batch);
  BOOST_REQUIRE_EQUAL(out->answers, 1);
  BOOST_CHECK_EQUAL(out->status, 200u);
  auto body = nlohmann::json::parse(out->body);
  BOOST_CHECK_EQUAL(body["stored"], 2);
  BOOST_CHECK_EQUAL(body["statuses"], 1);
  BOOST_CHECK_EQUAL(body["unrouted"], 1);
  BOOST_CHECK_EQUAL(script->appends.size(), 2u);
  BOOST_REQUIRE_EQUAL(script->events.size(), 1u);
  BOOST_CHECK_EQUAL(script->events[0].kind, "unrouted");
  BOOST_CHECK(script->events[0].payload.find("wamid.3") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_redelivered_webhook_reports_duplicates) {
  webhook_batch batch{"meta", {{"100000000000001", {text("+573001112233", "wamid.1")}, {}, {}}}};
  post(batch);
  auto out = post(batch);
  BOOST_CHECK_EQUAL(out->status, 200u);
  BOOST_CHECK_EQUAL(nlohmann::json::parse(out->body)["duplicates"], 1);
}

BOOST_AUTO_TEST_CASE(one_failed_write_fails_the_whole_answer_once) {
  script->fail_writes = true;
  webhook_batch batch{"meta",
                      {{"100000000000001",
                        {text("+573001112233", "wamid.1"), text("+573001112233", "wamid.2")},
                        {},
                        {}}}};
  auto out = post(batch);
  BOOST_CHECK_EQUAL(out->answers, 1);
  BOOST_CHECK_EQUAL(out->status, 503u);
  BOOST_CHECK(code_of(out->error) == ec::storage_unavailable);
}

BOOST_AUTO_TEST_CASE(an_empty_webhook_is_answered_at_once) {
  auto out = post(webhook_batch{"meta", {}});
  BOOST_CHECK_EQUAL(out->answers, 1);
  BOOST_CHECK_EQUAL(out->status, 200u);
}

BOOST_AUTO_TEST_CASE(readiness_reports_each_dependency) {
  auto out = std::make_shared<recording_responder>();
  caf::anon_send(aut, atom::ready_v, responder_ptr{out});
  run();
  BOOST_CHECK_EQUAL(out->status, 200u);
  auto body = nlohmann::json::parse(out->body);
  BOOST_CHECK_EQUAL(body["postgres"], "up");
  BOOST_CHECK(!body.contains("redis")); // not configured: not asked
}

BOOST_AUTO_TEST_SUITE_END()
