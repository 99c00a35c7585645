// Idle chats are passivated: after CRM_CHAT_IDLE_SECONDS without an event the chat's actor
// stops and the REGISTRY keeps its snapshot; the next event of any kind (a debtor message,
// an agent's reply, a provider status, a close) wakes it with its state intact.
#include "tests/e2e/dispatch_fixture.hpp"
#include "tests/support/ws_client.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <thread>

using namespace crm::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct passivation_fixture : dispatch_fixture {
  passivation_fixture() {
    extra_env = {{"CRM_CHAT_IDLE_SECONDS", "1"}};
    restart();
  }

  /// A gauge's value from /metrics (-1 when absent).
  double gauge(const std::string& name) const {
    std::istringstream lines{http_request(server->port(), "GET", "/metrics").body};
    for (std::string line; std::getline(lines, line);)
      if (line.rfind(name + " ", 0) == 0)
        return std::stod(line.substr(name.size() + 1));
    return -1;
  }

  /// Waits (up to 10 s) until every open chat is asleep.
  bool all_asleep(double open) const {
    for (int i = 0; i < 100; ++i) {
      if (gauge("crm_live_chats") == 0 && gauge("crm_open_chats") == open)
        return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(passivation, passivation_fixture)

BOOST_AUTO_TEST_CASE(idle_chats_sleep_as_snapshots_and_wake_on_their_next_event) {
  BOOST_REQUIRE_EQUAL(set_status(agent_a, "available").status, 200);
  ws_client ws{server->port(), token(agent_a, "agent")};
  BOOST_REQUIRE(ws.connected());
  BOOST_REQUIRE_EQUAL(debtor_writes("573001230000", "wamid.P.1"), 200);
  BOOST_REQUIRE(eventually("chats where status = 'assigned'", 1));
  auto chat = db.scalar("select id from chats");
  BOOST_REQUIRE(ws.read_until("chat.assigned", 5s));
  BOOST_REQUIRE(all_asleep(1));

  // A debtor's message wakes it: same chat, pushed to its agent, unread counted on.
  BOOST_REQUIRE_EQUAL(debtor_writes("573001230000", "wamid.P.2"), 200);
  auto pushed = ws.read_until("wamid.P.2", 5s);
  BOOST_REQUIRE(pushed);
  BOOST_CHECK_EQUAL(count("chats"), 1);
  BOOST_CHECK_EQUAL(count("messages where chat_id = '" + chat + "'"), 2);
  BOOST_REQUIRE(all_asleep(1));
  // A re-delivery of a message it stored before it slept is still stored once.
  BOOST_CHECK_EQUAL(debtor_writes("573001230000", "wamid.P.1"), 200);
  BOOST_CHECK_EQUAL(count("messages where direction = 'in'"), 2);
  BOOST_REQUIRE(all_asleep(1));

  // The agent's reply wakes it (a command routed by chat id) and goes out.
  auto sent = call("POST", "/api/v1/chats/" + chat + "/messages", agent_a, "agent",
                   json{{"type", "text"}, {"text", "Hola, ¿cómo desea pagar?"}}.dump());
  BOOST_REQUIRE_EQUAL(sent.status, 201);
  auto id = json::parse(sent.body)["id"].get<std::string>();
  BOOST_REQUIRE(eventually("messages where id = '" + id + "' and status = 'sent'", 1));
  auto wamid = db.scalar("select provider_id from messages where id = '" + id + "'");
  BOOST_REQUIRE(all_asleep(1));

  // A provider status wakes it and reaches the agent.
  auto status = meta_status_webhook(phone_number_id, wamid, "delivered", "573001230000");
  BOOST_REQUIRE_EQUAL(http_request(server->port(), "POST", "/api/v1/webhooks/meta", status,
                                   {{"X-Hub-Signature-256", meta_signature(secret, status)}})
                          .status,
                      200);
  BOOST_CHECK(ws.read_until("message.status", 5s));
  BOOST_REQUIRE(all_asleep(1));

  // Its agent still holds it after sleeping, and can close it.
  auto mine = json::parse(call("GET", "/api/v1/chats?status=assigned", agent_a, "agent").body);
  BOOST_CHECK_EQUAL(mine["items"].size(), 1u);
  auto closed = call("POST", "/api/v1/chats/" + chat + "/close", agent_a, "agent",
                     json{{"outcome", "refused"}}.dump());
  BOOST_CHECK_EQUAL(closed.status, 200);
  BOOST_CHECK(eventually("chats where status = 'closed'", 1));
  BOOST_CHECK(all_asleep(0));
}

BOOST_AUTO_TEST_SUITE_END()
