// Chats reaching agents through the real binary: agents' status over REST, the queue, and
// assignments recorded in PostgreSQL.
#include "tests/e2e/dispatch_fixture.hpp"
#include "tests/support/environment.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/processes.hpp"
#include "tests/support/ws_client.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <thread>

using namespace crm::test;
using nlohmann::json;

BOOST_FIXTURE_TEST_SUITE(dispatching, dispatch_fixture)

BOOST_AUTO_TEST_CASE(with_nobody_available_chats_wait_in_priority_order) {
  BOOST_REQUIRE_EQUAL(debtor_writes("573001230001", "wamid.Q1"), 200);
  BOOST_REQUIRE_EQUAL(debtor_writes("573009990000", "wamid.Q2"), 200); // 120 days overdue
  BOOST_REQUIRE_EQUAL(debtor_writes("573001230002", "wamid.Q3"), 200);
  auto res = call("GET", "/api/v1/queue", supervisor, "supervisor");
  BOOST_REQUIRE_EQUAL(res.status, 200);
  auto queue = json::parse(res.body);
  BOOST_REQUIRE_EQUAL(queue["total"], 3);
  BOOST_CHECK_EQUAL(queue["items"][0]["priority"], "URGENTE");
  BOOST_CHECK_EQUAL(queue["items"][1]["priority"], "BAJA");
  BOOST_CHECK_EQUAL(count("chats where status = 'queued'"), 3);
  BOOST_CHECK_EQUAL(call("GET", "/api/v1/queue", "", "").status, 401);
  BOOST_CHECK_EQUAL(call("GET", "/api/v1/queue", agent_a, "agent").status, 403);
}

BOOST_AUTO_TEST_CASE(an_available_agent_gets_chats_up_to_its_capacity) {
  auto res = set_status(agent_a, "available");
  BOOST_REQUIRE_EQUAL(res.status, 200);
  BOOST_CHECK_EQUAL(json::parse(res.body)["status"], "available");
  BOOST_CHECK_EQUAL(db.scalar("select status from users where id = '" + agent_a + "'"),
                    "available");
  BOOST_CHECK_EQUAL(count("agent_status_log where ended_at is null and status = 'available'"), 1);
  for (int i = 0; i < 3; ++i)
    BOOST_REQUIRE_EQUAL(
        debtor_writes("57300123100" + std::to_string(i), "wamid.A" + std::to_string(i)), 200);
  BOOST_CHECK(eventually("chats where agent_id = '" + agent_a + "' and status = 'assigned'", 2));
  BOOST_CHECK_EQUAL(count("assignments where agent_id = '" + agent_a + "' and kind = 'assign'"), 2);
  BOOST_CHECK_EQUAL(count("chats where status = 'queued'"), 1);
  // A supervisor sends the second agent to work: the waiting chat goes to it.
  auto other = call("PATCH", "/api/v1/users/" + agent_b + "/status", supervisor, "supervisor",
                    R"({"status": "available"})");
  BOOST_REQUIRE_EQUAL(other.status, 200);
  BOOST_CHECK(eventually("chats where agent_id = '" + agent_b + "'", 1));
  BOOST_CHECK_EQUAL(count("chats where status = 'queued'"), 0);
}

BOOST_AUTO_TEST_CASE(bad_status_requests_are_refused_and_change_nothing) {
  BOOST_CHECK_EQUAL(set_status(agent_a, "napping").status, 400);
  BOOST_CHECK_EQUAL(call("PATCH", "/api/v1/users/me/status", agent_a, "agent", "{oops").status,
                    400);
  // An agent may not change someone else's status.
  BOOST_CHECK_EQUAL(call("PATCH", "/api/v1/users/" + agent_b + "/status", agent_a, "agent",
                         R"({"status": "break"})")
                        .status,
                    403);
  BOOST_CHECK_EQUAL(call("PATCH", "/api/v1/users/00000000-0000-0000-0000-000000000000/status",
                         supervisor, "supervisor", R"({"status": "break"})")
                        .status,
                    404);
  BOOST_CHECK_EQUAL(db.scalar("select string_agg(status, ',') from users where id in ('" + agent_a +
                              "', '" + agent_b + "')"),
                    "offline,offline");
  BOOST_CHECK_EQUAL(count("agent_status_log"), 0);
}

BOOST_AUTO_TEST_CASE(assignments_survive_a_restart_and_capacity_is_remembered) {
  BOOST_REQUIRE_EQUAL(set_status(agent_a, "available").status, 200);
  BOOST_REQUIRE_EQUAL(debtor_writes("573001232001", "wamid.R1"), 200);
  BOOST_REQUIRE_EQUAL(debtor_writes("573001232002", "wamid.R2"), 200);
  BOOST_REQUIRE(eventually("chats where agent_id = '" + agent_a + "'", 2));
  restart();
  // The agent is still available and still holds two chats: a third one must wait.
  BOOST_REQUIRE_EQUAL(debtor_writes("573001232003", "wamid.R3"), 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  BOOST_CHECK_EQUAL(count("chats where agent_id = '" + agent_a + "'"), 2);
  BOOST_CHECK_EQUAL(count("chats where status = 'queued'"), 1);
}

BOOST_AUTO_TEST_CASE(a_campaign_cap_changed_through_the_api_holds_from_the_next_chat) {
  // Laura's capacity is 2; the campaign now allows 1 chat per agent.
  auto res = call("PATCH", "/api/v1/campaigns/" + campaign, supervisor, "supervisor",
                  R"({"maxChatsPerAgent": 1, "strategy": "round_robin"})");
  BOOST_REQUIRE_MESSAGE(res.status == 200, res.body);
  BOOST_REQUIRE_EQUAL(set_status(agent_a, "available").status, 200);
  BOOST_REQUIRE_EQUAL(debtor_writes("573001233001", "wamid.C1"), 200);
  BOOST_REQUIRE_EQUAL(debtor_writes("573001233002", "wamid.C2"), 200);
  BOOST_REQUIRE(eventually("chats where agent_id = '" + agent_a + "'", 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  BOOST_CHECK_EQUAL(count("chats where status = 'queued'"), 1);
  // Lifting the cap lets the waiting chat through at once.
  res = call("PATCH", "/api/v1/campaigns/" + campaign, supervisor, "supervisor",
             R"({"maxChatsPerAgent": 5})");
  BOOST_REQUIRE_MESSAGE(res.status == 200, res.body);
  BOOST_CHECK(eventually("chats where agent_id = '" + agent_a + "'", 2));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(websocket, dispatch_fixture)

BOOST_AUTO_TEST_CASE(the_upgrade_needs_a_valid_token) {
  BOOST_CHECK(!ws_client(server->port(), "").connected());
  BOOST_CHECK(!ws_client(server->port(), "not.a.token").connected());
  BOOST_CHECK(ws_client(server->port(), token(agent_a, "agent")).connected());
  BOOST_CHECK_EQUAL(http_request(server->port(), "GET", "/ws").status, 426);
}

BOOST_AUTO_TEST_CASE(agents_get_their_own_chats_live_and_supervisors_get_all) {
  using namespace std::chrono_literals;
  ws_client a{server->port(), token(agent_a, "agent")};
  ws_client b{server->port(), token(agent_b, "agent")};
  ws_client boss{server->port(), token(supervisor, "supervisor")};
  BOOST_REQUIRE(a.connected() && b.connected() && boss.connected());
  a.send(R"({"action": "agent.status", "data": {"status": "available"}, "id": 7})");
  auto reply = a.read_until("\"reply\"", 5s);
  BOOST_REQUIRE(reply);
  auto r = json::parse(*reply);
  BOOST_CHECK_EQUAL(r["reply"], 7);
  BOOST_CHECK_EQUAL(r["ok"], true);
  BOOST_CHECK_EQUAL(r["data"]["status"], "available");

  BOOST_REQUIRE_EQUAL(debtor_writes("573001239001", "wamid.WS1"), 200);
  auto assigned = a.read_until("chat.assigned", 5s);
  BOOST_REQUIRE(assigned);
  auto chat = json::parse(*assigned)["data"]["chatId"].get<std::string>();
  BOOST_CHECK_EQUAL(json::parse(*assigned)["data"]["agentId"], agent_a);
  BOOST_REQUIRE_EQUAL(debtor_writes("573001239001", "wamid.WS2"), 200);
  auto message = a.read_until("wamid.WS2", 5s);
  BOOST_REQUIRE(message);
  auto m = json::parse(*message);
  BOOST_CHECK_EQUAL(m["event"], "message.new");
  BOOST_CHECK_EQUAL(m["data"]["chatId"], chat);
  BOOST_CHECK_EQUAL(m["data"]["text"], "Hola, ¿puedo pagar?");
  BOOST_CHECK(boss.read_until("wamid.WS2", 5s).has_value());
  BOOST_CHECK(!b.read_until("wamid.WS", 500ms).has_value()); // not B's chat
  a.send(R"({"action": "fly", "id": 8})");
  auto refused = a.read_until("\"reply\":8", 5s);
  BOOST_REQUIRE(refused);
  BOOST_CHECK_EQUAL(json::parse(*refused)["ok"], false);
}

BOOST_AUTO_TEST_CASE(an_agent_whose_last_session_closes_goes_offline_after_the_grace) {
  using namespace std::chrono_literals;
  auto status_of_a = [&] {
    return db.scalar("select status from users where id = '" + agent_a + "'");
  };
  {
    auto first = std::make_unique<ws_client>(server->port(), token(agent_a, "agent"));
    ws_client second{server->port(), token(agent_a, "agent")};
    BOOST_REQUIRE(first->connected() && second.connected());
    second.send(R"({"action": "agent.status", "data": {"status": "available"}, "id": 1})");
    BOOST_REQUIRE(second.read_until("\"reply\"", 5s));
    first.reset(); // one tab closed: the other keeps the agent at work
    std::this_thread::sleep_for(2s);
    BOOST_CHECK_EQUAL(status_of_a(), "available");
  } // the last tab closes
  bool offline = false;
  for (int i = 0; i < 100 && !offline; ++i) {
    std::this_thread::sleep_for(100ms);
    offline = status_of_a() == "offline";
  }
  BOOST_CHECK(offline);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(chats_api, dispatch_fixture)

BOOST_AUTO_TEST_CASE(chats_are_listed_filtered_paged_and_limited_to_the_agent) {
  BOOST_REQUIRE_EQUAL(set_status(agent_a, "available").status, 200);
  for (int i = 0; i < 3; ++i)
    BOOST_REQUIRE_EQUAL(
        debtor_writes("57300123400" + std::to_string(i), "wamid.L" + std::to_string(i)), 200);
  BOOST_REQUIRE(eventually("chats where agent_id = '" + agent_a + "'", 2));
  auto list = [&](const std::string& who, const std::string& role, const std::string& query) {
    return call("GET", "/api/v1/chats" + query, who, role);
  };
  auto all = list(supervisor, "supervisor", "");
  BOOST_REQUIRE_EQUAL(all.status, 200);
  auto body = json::parse(all.body);
  BOOST_CHECK_EQUAL(body["total"], 3);
  BOOST_CHECK_EQUAL(body["page"], 1);
  BOOST_CHECK_EQUAL(body["items"].size(), 3u);
  BOOST_CHECK_EQUAL(json::parse(list(supervisor, "supervisor", "?status=queued").body)["total"], 1);
  BOOST_CHECK_EQUAL(
      json::parse(list(supervisor, "supervisor", "?agentId=" + agent_a).body)["total"], 2);
  auto paged = json::parse(list(supervisor, "supervisor", "?limit=2&page=2").body);
  BOOST_CHECK_EQUAL(paged["total"], 3);
  BOOST_CHECK_EQUAL(paged["items"].size(), 1u);
  BOOST_CHECK_EQUAL(list(supervisor, "supervisor", "?priority=ALTISIMA").status, 400);
  BOOST_CHECK_EQUAL(list(supervisor, "supervisor", "?agentId=42").status, 400);
  BOOST_CHECK_EQUAL(list(supervisor, "supervisor", "?limit=0").status, 400);
  BOOST_CHECK_EQUAL(list("", "", "").status, 401);
  // Agents see their own chats only, whatever they ask for.
  BOOST_CHECK_EQUAL(json::parse(list(agent_a, "agent", "").body)["total"], 2);
  BOOST_CHECK_EQUAL(json::parse(list(agent_a, "agent", "?agentId=" + agent_b).body)["total"], 0);
  BOOST_CHECK_EQUAL(json::parse(list(agent_b, "agent", "").body)["total"], 0);
}

BOOST_AUTO_TEST_CASE(one_chat_and_its_messages_respect_the_row_level_limit) {
  BOOST_REQUIRE_EQUAL(set_status(agent_a, "available").status, 200);
  BOOST_REQUIRE_EQUAL(debtor_writes("573001235001", "wamid.M1"), 200);
  BOOST_REQUIRE(eventually("chats where agent_id = '" + agent_a + "'", 1));
  BOOST_REQUIRE_EQUAL(debtor_writes("573001235001", "wamid.M2"), 200);
  auto chat = db.scalar("select id from chats");
  auto one = call("GET", "/api/v1/chats/" + chat, agent_a, "agent");
  BOOST_REQUIRE_EQUAL(one.status, 200);
  auto c = json::parse(one.body);
  BOOST_CHECK_EQUAL(c["id"], chat);
  BOOST_CHECK_EQUAL(c["status"], "assigned");
  BOOST_CHECK_EQUAL(c["agentId"], agent_a);
  BOOST_CHECK_EQUAL(c["debtorPhone"], "+573001235001");
  BOOST_CHECK(c["openedAt"].get<std::string>().ends_with("Z"));
  // The console's list shows who and what without a request per row.
  BOOST_CHECK(c["debtorName"].is_null()); // a phone no debtor has
  BOOST_CHECK_EQUAL(c["lastMessage"]["direction"], "in");
  BOOST_CHECK_EQUAL(c["lastMessage"]["text"], "Hola, ¿puedo pagar?");
  BOOST_CHECK(c["lastMessage"]["createdAt"].get<std::string>().ends_with("Z"));
  auto listed = json::parse(call("GET", "/api/v1/chats", agent_a, "agent").body)["items"][0];
  BOOST_CHECK_EQUAL(listed["lastMessage"], c["lastMessage"]);
  BOOST_CHECK_EQUAL(listed["debtorName"], c["debtorName"]);
  BOOST_CHECK_EQUAL(call("GET", "/api/v1/chats/" + chat, agent_b, "agent").status, 404);
  BOOST_CHECK_EQUAL(call("GET", "/api/v1/chats/" + chat, supervisor, "supervisor").status, 200);
  auto messages = call("GET", "/api/v1/chats/" + chat + "/messages", agent_a, "agent");
  BOOST_REQUIRE_EQUAL(messages.status, 200);
  auto m = json::parse(messages.body);
  BOOST_REQUIRE_EQUAL(m["total"], 2);
  BOOST_CHECK_EQUAL(m["items"][0]["providerId"], "wamid.M1");
  BOOST_CHECK_EQUAL(m["items"][1]["providerId"], "wamid.M2");
  BOOST_CHECK_EQUAL(m["items"][0]["direction"], "in");
  BOOST_CHECK_EQUAL(m["items"][0]["text"], "Hola, ¿puedo pagar?");
  BOOST_CHECK_EQUAL(call("GET", "/api/v1/chats/" + chat + "/messages", agent_b, "agent").status,
                    404);
  BOOST_CHECK_EQUAL(
      call("GET", "/api/v1/chats/not-a-chat/messages", supervisor, "supervisor").status, 404);
}

BOOST_AUTO_TEST_SUITE_END()
