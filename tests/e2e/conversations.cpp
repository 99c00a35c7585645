// What people do to chats through the real binary (reply, transfer, close) and a team at
// work: three agents on WebSockets, thirty debtors writing, three routing strategies.
#include "tests/e2e/dispatch_fixture.hpp"
#include "tests/support/ws_client.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

using namespace crm::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

struct conversation_fixture : dispatch_fixture {
  /// The chat a debtor's first message opened, once an agent holds it.
  std::string assigned_chat_of(const std::string& phone) {
    std::string where = "chats where debtor_phone = '+" + phone + "' and status = 'assigned'";
    BOOST_REQUIRE(eventually(where, 1));
    return db.scalar("select id from " + where);
  }

  http_result post(const std::string& target, const std::string& who, const std::string& role,
                   const json& body) const {
    return call("POST", target, who, role, body.dump());
  }

  /// Every frame `client` receives until none comes for `quiet`.
  static std::vector<json> drain(ws_client& client, std::chrono::milliseconds quiet) {
    std::vector<json> result;
    while (auto frame = client.read(quiet))
      result.push_back(json::parse(*frame));
    return result;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(conversations, conversation_fixture)

BOOST_AUTO_TEST_CASE(an_agent_reply_is_stored_pending_and_moves_to_sent_live) {
  ws_client a{server->port(), token(agent_a, "agent")};
  BOOST_REQUIRE(a.connected());
  BOOST_REQUIRE_EQUAL(set_status(agent_a, "available").status, 200);
  BOOST_REQUIRE_EQUAL(debtor_writes("573001110001", "wamid.R1"), 200);
  auto chat = assigned_chat_of("573001110001");
  auto res = post("/api/v1/chats/" + chat + "/messages", agent_a, "agent",
                  {{"type", "text"}, {"text", "Buenos días, ¿le puedo ayudar con su pago?"}});
  BOOST_REQUIRE_EQUAL(res.status, 201);
  auto message = json::parse(res.body);
  BOOST_CHECK_EQUAL(message["status"], "pending");
  BOOST_CHECK_EQUAL(message["direction"], "out");
  BOOST_CHECK_EQUAL(message["sentBy"], agent_a);
  auto id = message["id"].get<std::string>();
  auto status = a.read_until("message.status", 5s);
  BOOST_REQUIRE(status);
  auto ev = json::parse(*status)["data"];
  BOOST_CHECK_EQUAL(ev["id"], id);
  BOOST_CHECK_EQUAL(ev["status"], "sent");
  BOOST_CHECK(eventually("messages where id = '" + id + "' and status = 'sent'" +
                             " and provider_id like 'wamid.SI%'",
                         1));
  BOOST_CHECK_EQUAL(db.scalar("select unread from chats where id = '" + chat + "'"), "0");

  // The same through the WebSocket action.
  a.send(json{{"action", "message.send"},
              {"id", 5},
              {"data", {{"chatId", chat}, {"text", "Le envío el enlace de pago"}}}}
             .dump());
  auto reply = a.read_until("\"reply\":5", 5s);
  BOOST_REQUIRE(reply);
  BOOST_CHECK_EQUAL(json::parse(*reply)["ok"], true);
  BOOST_CHECK(eventually("messages where chat_id = '" + chat + "' and direction = 'out'", 2));
}

BOOST_AUTO_TEST_CASE(staff_who_do_not_see_every_chat_can_watch_one) {
  auto auditor = add_user("auditora@demo.crm", "auditor");
  restart(); // written behind the server's back: the access table learns it at start
  ws_client watcher{server->port(), token(auditor, "auditor")};
  ws_client a{server->port(), token(agent_a, "agent")};
  BOOST_REQUIRE(watcher.connected() && a.connected());
  BOOST_REQUIRE_EQUAL(set_status(agent_a, "available").status, 200);
  BOOST_REQUIRE_EQUAL(debtor_writes("573001110009", "wamid.W1"), 200);
  auto chat = assigned_chat_of("573001110009");
  BOOST_CHECK(!watcher.read_until("wamid.W1", 300ms)); // not watching yet
  watcher.send(json{{"action", "chat.watch"}, {"id", 3}, {"data", {{"chatId", chat}}}}.dump());
  auto ok = watcher.read_until("\"reply\":3", 5s);
  BOOST_REQUIRE(ok);
  BOOST_CHECK_EQUAL(json::parse(*ok)["ok"], true);
  BOOST_REQUIRE_EQUAL(debtor_writes("573001110009", "wamid.W2"), 200);
  BOOST_CHECK(watcher.read_until("wamid.W2", 5s));
  BOOST_REQUIRE_EQUAL(debtor_writes("573001110010", "wamid.W3"), 200); // another chat
  BOOST_CHECK(!watcher.read_until("wamid.W3", 500ms));
  // Agents see their own chats only: watching is not for them.
  a.send(json{{"action", "chat.watch"}, {"id", 4}, {"data", {{"chatId", chat}}}}.dump());
  auto refused = a.read_until("\"reply\":4", 5s);
  BOOST_REQUIRE(refused);
  BOOST_CHECK_EQUAL(json::parse(*refused)["error"]["code"], "forbidden");
}

BOOST_AUTO_TEST_CASE(bad_commands_are_refused_and_change_nothing) {
  BOOST_REQUIRE_EQUAL(set_status(agent_a, "available").status, 200);
  BOOST_REQUIRE_EQUAL(debtor_writes("573001110002", "wamid.B1"), 200);
  auto chat = assigned_chat_of("573001110002");
  auto base = "/api/v1/chats/" + chat;
  auto code_of = [](const http_result& r) {
    return json::parse(r.body)["error"]["code"].get<std::string>();
  };
  auto empty = post(base + "/messages", agent_a, "agent", {{"type", "text"}, {"text", "  "}});
  BOOST_CHECK_EQUAL(empty.status, 400);
  BOOST_CHECK_EQUAL(json::parse(empty.body)["error"]["details"]["field"], "text");
  BOOST_CHECK_EQUAL(post(base + "/transfer", agent_a, "agent", {{"agentId", agent_b}}).status,
                    400); // no reason
  BOOST_CHECK_EQUAL(post(base + "/close", agent_a, "agent", {{"outcome", "happy"}}).status, 400);
  BOOST_CHECK_EQUAL(post(base + "/close", agent_a, "agent", {{"outcome", "promise"}}).status, 400);
  BOOST_CHECK_EQUAL(
      post(base + "/close", agent_a, "agent",
           {{"outcome", "promise"}, {"promise", {{"amount", 100}, {"dueDate", "2026-02-30"}}}})
          .status,
      400);
  // Agents do not assign from the queue, nor act on a chat that is not theirs.
  BOOST_CHECK_EQUAL(post(base + "/assign", agent_b, "agent", {{"agentId", agent_b}}).status, 403);
  auto foreign = post(base + "/close", agent_b, "agent", {{"outcome", "paid"}});
  BOOST_CHECK_EQUAL(foreign.status, 404);
  BOOST_CHECK_EQUAL(code_of(foreign), "not_found");
  auto unknown = post(base + "/assign", supervisor, "supervisor",
                      {{"agentId", "00000000-0000-0000-0000-000000000000"}});
  BOOST_CHECK_EQUAL(unknown.status, 404);
  BOOST_CHECK_EQUAL(count("messages where direction = 'out'"), 0);
  BOOST_CHECK_EQUAL(count("chats where status = 'closed'"), 0);
  BOOST_CHECK_EQUAL(count("assignments"), 1); // the DISPATCHER's only
}

BOOST_AUTO_TEST_CASE(a_transfer_moves_the_chat_tells_both_and_keeps_history) {
  ws_client a{server->port(), token(agent_a, "agent")};
  ws_client b{server->port(), token(agent_b, "agent")};
  BOOST_REQUIRE(a.connected() && b.connected());
  BOOST_REQUIRE_EQUAL(set_status(agent_a, "available").status, 200);
  BOOST_REQUIRE_EQUAL(debtor_writes("573001110003", "wamid.T1"), 200);
  auto chat = assigned_chat_of("573001110003");
  BOOST_REQUIRE_EQUAL(set_status(agent_b, "available").status, 200);
  auto res = post("/api/v1/chats/" + chat + "/transfer", agent_a, "agent",
                  {{"agentId", agent_b}, {"reason", "el deudor pide hablar con Andrés"}});
  BOOST_REQUIRE_EQUAL(res.status, 200);
  BOOST_CHECK_EQUAL(json::parse(res.body)["agentId"], agent_b);
  auto to_a = a.read_until("chat.transferred", 5s);
  auto to_b = b.read_until("chat.transferred", 5s);
  BOOST_REQUIRE(to_a && to_b);
  BOOST_CHECK_EQUAL(json::parse(*to_b)["data"]["fromAgentId"], agent_a);
  BOOST_CHECK_EQUAL(json::parse(*to_b)["data"]["reason"], "el deudor pide hablar con Andrés");
  BOOST_CHECK_EQUAL(db.scalar("select kind || ':' || previous_agent_id || ':' || by_user_id"
                              " from assignments where agent_id = '" +
                              agent_b + "'"),
                    "transfer:" + agent_a + ":" + agent_a);
  // Back to the queue: with nobody free (A is busy), it waits there.
  BOOST_REQUIRE_EQUAL(set_status(agent_a, "busy").status, 200);
  res = post("/api/v1/chats/" + chat + "/transfer", agent_b, "agent",
             {{"agentId", nullptr}, {"reason", "fin de turno"}});
  BOOST_REQUIRE_EQUAL(res.status, 200);
  BOOST_CHECK_EQUAL(json::parse(res.body)["status"], "queued");
  // B is still available and free: the DISPATCHER gives it straight back.
  BOOST_CHECK(eventually("chats where id = '" + chat + "' and agent_id = '" + agent_b + "'", 1));
  BOOST_CHECK_EQUAL(count("assignments where chat_id = '" + chat + "'"), 4);
}

BOOST_AUTO_TEST_CASE(closing_with_a_promise_records_it_and_frees_the_slot) {
  BOOST_REQUIRE_EQUAL(set_status(agent_a, "available").status, 200);
  // A holds two chats (its capacity); a third waits.
  BOOST_REQUIRE_EQUAL(debtor_writes("573009990000", "wamid.C1"), 200); // the urgent debtor
  auto chat = assigned_chat_of("573009990000");
  BOOST_REQUIRE_EQUAL(debtor_writes("573001110005", "wamid.C2"), 200);
  BOOST_REQUIRE_EQUAL(debtor_writes("573001110006", "wamid.C3"), 200);
  BOOST_REQUIRE(eventually("chats where status = 'queued'", 1));
  auto res = post(
      "/api/v1/chats/" + chat + "/close", agent_a, "agent",
      {{"outcome", "promise"}, {"promise", {{"amount", 350000.5}, {"dueDate", "2026-12-15"}}}});
  BOOST_REQUIRE_EQUAL(res.status, 200);
  auto closed = json::parse(res.body);
  BOOST_CHECK_EQUAL(closed["status"], "closed");
  BOOST_CHECK_EQUAL(closed["outcome"], "promise");
  BOOST_CHECK_EQUAL(db.scalar("select amount || ' ' || due_date || ' ' || created_by"
                              " from payment_promises"),
                    "350000.50 2026-12-15 " + agent_a);
  BOOST_CHECK_EQUAL(db.scalar("select collection_status from debtors"), "promise");
  // The freed slot pulls the waiting chat.
  BOOST_CHECK(eventually("chats where status = 'queued'", 0));
  BOOST_CHECK_EQUAL(count("chats where agent_id = '" + agent_a + "' and status = 'assigned'"), 2);
  // The debtor writes again: a new chat, the closed one stays closed.
  BOOST_REQUIRE_EQUAL(debtor_writes("573009990000", "wamid.C4"), 200);
  BOOST_CHECK(eventually("chats where debtor_phone = '+573009990000'", 2));
  BOOST_CHECK_EQUAL(count("messages where chat_id = '" + chat + "'"), 1);
}

BOOST_AUTO_TEST_CASE(three_agents_and_thirty_debtors_each_chat_assigned_once) {
  auto agent_c = add_user("camila@demo.crm", "agent");
  db.exec("update users set max_concurrent_chats = 10 where email like '%demo.crm'");
  db.exec("update campaigns set max_chats_per_agent = 10"); // the campaign's cap holds too
  restart();
  std::map<std::string, std::unique_ptr<ws_client>> clients;
  for (auto& id : {agent_a, agent_b, agent_c}) {
    clients[id] = std::make_unique<ws_client>(server->port(), token(id, "agent"));
    BOOST_REQUIRE(clients[id]->connected());
    clients[id]->send(R"({"action": "agent.status", "data": {"status": "available"}, "id": 1})");
    BOOST_REQUIRE(clients[id]->read_until("\"reply\":1", 5s));
  }
  ws_client boss{server->port(), token(supervisor, "supervisor")};
  std::vector<std::thread> writers;
  for (int w = 0; w < 3; ++w)
    writers.emplace_back([&, w] {
      for (int i = w; i < 30; i += 3) {
        auto phone = "5730022" + std::to_string(10000 + i);
        BOOST_CHECK_EQUAL(debtor_writes(phone, "wamid.TEAM" + std::to_string(i)), 200);
      }
    });
  for (auto& t : writers)
    t.join();
  BOOST_REQUIRE(eventually("chats where status = 'assigned'", 30));
  std::map<std::string, std::set<std::string>> assigned, seen_messages;
  std::multiset<std::string> every_assignment;
  for (auto& [id, client] : clients)
    for (auto& frame : drain(*client, 700ms)) {
      auto name = frame.value("event", "");
      if (name == "chat.assigned") {
        BOOST_CHECK_EQUAL(frame["data"]["agentId"], id);
        assigned[id].insert(frame["data"]["chatId"].get<std::string>());
        every_assignment.insert(frame["data"]["chatId"].get<std::string>());
      } else if (name == "message.new") {
        seen_messages[id].insert(frame["data"]["chatId"].get<std::string>());
      }
    }
  BOOST_CHECK_EQUAL(every_assignment.size(), 30u);
  std::set<std::string> distinct(every_assignment.begin(), every_assignment.end());
  BOOST_CHECK_EQUAL(distinct.size(), 30u); // no chat went to two agents
  for (auto& [id, chats] : assigned) {
    BOOST_CHECK_LE(chats.size(), 10u);
    // Every message an agent saw belongs to one of its chats.
    for (auto& chat : seen_messages[id])
      BOOST_CHECK(chats.count(chat));
    BOOST_CHECK_EQUAL(count("chats where agent_id = '" + id + "' and status = 'assigned'"),
                      static_cast<long>(chats.size()));
  }
  BOOST_CHECK_EQUAL(count("assignments"), 30);
  // The supervisor saw the whole team at work.
  auto frames = drain(boss, 500ms);
  auto assigned_seen = std::count_if(frames.begin(), frames.end(), [](const json& f) {
    return f.value("event", "") == "chat.assigned";
  });
  BOOST_CHECK_EQUAL(assigned_seen, 30);
}

BOOST_AUTO_TEST_CASE(the_strategy_shows_in_the_distribution) {
  auto agent_c = add_user("camila@demo.crm", "agent");
  db.exec("update users set max_concurrent_chats = 6 where id = '" + agent_a + "'");
  db.exec("update users set skills = '{legal}' where id = '" + agent_c + "'");
  int debtor = 0;
  // Chats written one at a time, each assigned before the next: the order is the strategy's.
  auto distribution = [&](const std::string& strategy, int chats, int can_assign) {
    db.exec("update chats set status = 'closed', closed_at = now(), outcome = 'paid'"
            " where status <> 'closed'");
    db.exec("update campaigns set strategy = '" + strategy + "', required_skills = '" +
            (strategy == "skills_based" ? "{legal}" : "{}") + "'");
    restart();
    for (auto& id : {agent_a, agent_b, agent_c})
      BOOST_REQUIRE_EQUAL(set_status(id, "available").status, 200);
    for (int i = 0; i < chats; ++i) {
      auto n = std::to_string(10000 + debtor++);
      BOOST_REQUIRE_EQUAL(debtor_writes("5730033" + n, "wamid.S" + n), 200);
      BOOST_REQUIRE(eventually("chats where status = 'assigned'", std::min(i + 1, can_assign)));
    }
    std::this_thread::sleep_for(300ms); // time enough for a wrong assignment to show
    std::vector<long> result;
    for (auto& id : {agent_a, agent_b, agent_c})
      result.push_back(count("chats where status = 'assigned' and agent_id = '" + id + "'"));
    return result;
  };
  // Capacities: A 6, B 2, C 2.
  auto rr = distribution("round_robin", 5, 5); // takes turns: 2, 2, 1 in some order
  std::vector<long> sorted = rr;
  std::sort(sorted.rbegin(), sorted.rend());
  BOOST_CHECK((sorted == std::vector<long>{2, 2, 1}));
  auto lb = distribution("least_busy", 5, 5); // by load relative to capacity: A takes more
  BOOST_CHECK((lb == std::vector<long>{3, 1, 1}));
  auto sk = distribution("skills_based", 3, 2); // only C knows "legal"; the third one waits
  BOOST_CHECK((sk == std::vector<long>{0, 0, 2}));
  BOOST_CHECK_EQUAL(count("chats where status = 'queued'"), 1);
}

BOOST_AUTO_TEST_SUITE_END()
