// Reports end to end over a hand-built day whose answers are worked out here by hand (see
// docs/reports.md for the definitions): a transfer credits each agent with its own hold, a
// chat never answered counts as unanswered, promises kept and broken, time logged in.
#include "tests/e2e/dispatch_fixture.hpp"
#include "tests/support/ws_client.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

using namespace crm::test;
using nlohmann::json;

namespace {

struct reports_fixture : dispatch_fixture {
  /// 2026-10-05 09:00 in Bogota plus `s` seconds, as SQL.
  static std::string at(int s) {
    return "(timestamptz '2026-10-05 14:00:00+00' + interval '" + std::to_string(s) + " seconds')";
  }

  std::string chat(const std::string& phone, const std::string& status,
                   const std::string& outcome = "null", const std::string& closed = "null") {
    return db.scalar("insert into chats (number_id, debtor_phone, campaign_id, status, outcome,"
                     " closed_at, opened_at) select id, '" +
                     phone + "', campaign_id, '" + status + "', " + outcome + ", " + closed + ", " +
                     at(0) + " from whatsapp_numbers returning id");
  }

  void message(const std::string& chat, const std::string& direction, int s,
               const std::string& by = {}) {
    db.exec("insert into messages (chat_id, number_id, direction, type, body, status, sent_by,"
            " created_at) select c.id, c.number_id, '" +
            direction + "', 'text', 'x', '" + (direction == "in" ? "received" : "sent") + "', " +
            (by.empty() ? "null" : "'" + by + "'") + ", " + at(s) + " from chats c where c.id = '" +
            chat + "'");
  }

  void assign(const std::string& chat, const std::string& agent, int s,
              const std::string& kind = "assign") {
    db.exec("insert into assignments (chat_id, agent_id, kind, created_at) values ('" + chat +
            "', '" + agent + "', '" + kind + "', " + at(s) + ")");
  }

  void stretch(const std::string& agent, const std::string& status, int from, int to) {
    db.exec("insert into agent_status_log (user_id, status, started_at, ended_at) values ('" +
            agent + "', '" + status + "', " + at(from) + ", " + at(to) + ")");
  }

  json report(const std::string& query, const std::string& who = {}) {
    auto res = call("GET", "/api/v1/reports/agents" + query, who.empty() ? supervisor : who,
                    who.empty() ? "supervisor" : "agent");
    BOOST_REQUIRE_MESSAGE(res.status == 200, res.body);
    return json::parse(res.body);
  }

  static const json& row(const json& r, const std::string& agent) {
    for (auto& item : r["items"])
      if (item["agentId"] == agent)
        return item;
    BOOST_FAIL("no row for " + agent);
    static json none;
    return none;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(reports, reports_fixture)

BOOST_AUTO_TEST_CASE(agent_metrics_credit_each_hold_to_its_agent) {
  // Chat 1: the debtor waits from 0; Laura gets it at 60 and answers at 180 (TMR 120); she
  // closes it at 600 with a promise (TMO 540).
  auto c1 = chat("+573101000001", "closed", "'promise'", at(600));
  message(c1, "in", 0);
  assign(c1, agent_a, 60);
  message(c1, "out", 180, agent_a);
  // Chat 2: Laura gets it at 1000 with nothing waiting; the debtor writes at 1100, she
  // answers at 1130 (TMR 30). Transferred to Andrés at 1200; the debtor writes at 1300, he
  // answers at 1360 (TMR 60) and closes it at 2000 as paid (TMO 800). Laura's hold did not
  // end in a close.
  auto c2 = chat("+573101000002", "closed", "'paid'", at(2000));
  assign(c2, agent_a, 1000);
  message(c2, "in", 1100);
  message(c2, "out", 1130, agent_a);
  assign(c2, agent_b, 1200, "transfer");
  message(c2, "in", 1300);
  message(c2, "out", 1360, agent_b);
  // Chat 3: waiting since 2900, Andrés gets it at 3000 and never answers.
  auto c3 = chat("+573101000003", "assigned");
  message(c3, "in", 2900);
  assign(c3, agent_b, 3000);
  // The bot's message (no sender) counts for nobody.
  message(c3, "out", 2950);
  // Time logged in: Laura 1 h available; Andrés 30 min busy, then 30 min on a break.
  stretch(agent_a, "available", 0, 3600);
  stretch(agent_b, "busy", 0, 1800);
  stretch(agent_b, "break", 1800, 3600);
  // Promises: Laura's is paid in full (kept); Andrés's was due before today, unpaid (broken).
  auto debtor = db.scalar("select id from debtors limit 1");
  auto kept = db.scalar("insert into payment_promises (debtor_id, chat_id, amount, due_date,"
                        " created_by, created_at) values ('" +
                        debtor + "', '" + c1 + "', 100000, '2026-10-20', '" + agent_a + "', " +
                        at(600) + ") returning id");
  db.exec("insert into payments (debtor_id, promise_id, amount, paid_on) values ('" + debtor +
          "', '" + kept + "', 100000, '2026-10-19')");
  db.exec("insert into payment_promises (debtor_id, chat_id, amount, due_date, created_by,"
          " created_at) values ('" +
          debtor + "', '" + c2 + "', 50000, '2026-10-10', '" + agent_b + "', " + at(2000) + ")");

  auto r = report("?from=2026-10-05&to=2026-10-05");
  BOOST_TEST_MESSAGE(r.dump());
  BOOST_CHECK_EQUAL(r["from"], "2026-10-05T05:00:00.000Z"); // Bogota's midnight
  auto& laura = row(r, agent_a);
  BOOST_CHECK_EQUAL(laura["chatsHandled"], 2);
  BOOST_CHECK_EQUAL(laura["chatsClosed"], 1);
  BOOST_CHECK_EQUAL(laura["tmrSeconds"], 75.0); // (120 + 30) / 2
  BOOST_CHECK_EQUAL(laura["tmoSeconds"], 540.0);
  BOOST_CHECK_EQUAL(laura["outcomes"], json({{"promise", 1}}));
  BOOST_CHECK_EQUAL(laura["messagesSent"], 2);
  BOOST_CHECK_EQUAL(laura["hoursLoggedIn"], 1.0);
  BOOST_CHECK_EQUAL(laura["sph"], 2.0);
  BOOST_CHECK_EQUAL(laura["promisesMade"], 1);
  BOOST_CHECK_EQUAL(laura["promisesKept"], 1);
  BOOST_CHECK_EQUAL(laura["amountRecovered"], 100000.0);
  auto& andres = row(r, agent_b);
  BOOST_CHECK_EQUAL(andres["chatsHandled"], 2);
  BOOST_CHECK_EQUAL(andres["chatsClosed"], 1);
  BOOST_CHECK_EQUAL(andres["tmrSeconds"], 60.0);
  BOOST_CHECK_EQUAL(andres["answeredChats"], 1);
  BOOST_CHECK_EQUAL(andres["unansweredChats"], 1);
  BOOST_CHECK_EQUAL(andres["tmoSeconds"], 800.0);
  BOOST_CHECK_EQUAL(andres["outcomes"], json({{"paid", 1}}));
  BOOST_CHECK_EQUAL(andres["messagesSent"], 1);
  BOOST_CHECK_EQUAL(andres["hoursLoggedIn"], 0.5);
  BOOST_CHECK_EQUAL(andres["sph"], 2.0);
  BOOST_CHECK_EQUAL(andres["statusSeconds"], json({{"busy", 1800}, {"break", 1800}}));
  BOOST_CHECK_EQUAL(andres["promisesBroken"], 1);
  BOOST_CHECK_EQUAL(andres["promisedAmount"], 50000.0);

  // Another day holds nothing; one agent's filter keeps one row.
  auto empty = report("?from=2026-10-06&to=2026-10-06");
  BOOST_CHECK_EQUAL(row(empty, agent_a)["chatsHandled"], 0);
  BOOST_CHECK(row(empty, agent_a)["tmrSeconds"].is_null());
  BOOST_CHECK_EQUAL(report("?from=2026-10-05&to=2026-10-05&agentId=" + agent_b)["total"], 1);

  // Rankings: TMR ranks the faster first; effectiveness = (promise + paid closes) / handled.
  auto ranked = json::parse(call("GET",
                                 "/api/v1/reports/rankings?from=2026-10-05&to=2026-10-05"
                                 "&metric=tmr",
                                 supervisor, "supervisor")
                                .body);
  BOOST_CHECK_EQUAL(ranked["items"][0]["agentId"], agent_b);
  BOOST_CHECK_EQUAL(ranked["items"][0]["rank"], 1);
  BOOST_CHECK_EQUAL(ranked["items"][1]["value"], 75.0);
  BOOST_CHECK_EQUAL(laura["effectiveness"], 0.5);
  // Distribution of the day's chats by outcome; trends per day.
  auto dist = json::parse(call("GET",
                               "/api/v1/reports/distribution?from=2026-10-05&to=2026-10-05"
                               "&by=outcome",
                               supervisor, "supervisor")
                              .body);
  BOOST_CHECK_EQUAL(dist["items"],
                    json::parse(R"([{"key":"none","chats":1},{"key":"paid","chats":1},)"
                                R"({"key":"promise","chats":1}])"));
  auto trend = json::parse(
      call("GET", "/api/v1/reports/trends?from=2026-10-05&to=2026-10-20", supervisor, "supervisor")
          .body);
  BOOST_REQUIRE_EQUAL(trend["total"], 16);
  auto& day = trend["items"][0];
  BOOST_CHECK_EQUAL(day["day"], "2026-10-05");
  BOOST_CHECK_EQUAL(day["chatsOpened"], 3);
  BOOST_CHECK_EQUAL(day["messagesIn"], 4);
  BOOST_CHECK_EQUAL(day["messagesOut"], 4);
  BOOST_CHECK_EQUAL(day["promisesMade"], 2);
  BOOST_CHECK_EQUAL(day["promisedAmount"], 150000.0);
  BOOST_CHECK_EQUAL(trend["items"][14]["amountRecovered"], 100000.0); // paid on the 19th
  BOOST_CHECK_EQUAL(trend["items"][1]["chatsOpened"], 0);

  // The same as CSV.
  auto csv = call("GET", "/api/v1/reports/agents?from=2026-10-05&to=2026-10-05&format=csv",
                  supervisor, "supervisor");
  BOOST_REQUIRE_EQUAL(csv.status, 200);
  BOOST_CHECK(csv.body.rfind("agentId,fullName,chatsHandled,chatsClosed", 0) == 0);
  BOOST_CHECK(csv.body.find(",75.0,540.0,2,1.0,2.0,") != std::string::npos); // Laura
  BOOST_CHECK_EQUAL(std::count(csv.body.begin(), csv.body.end(), '\n'), 3);  // header + 2
}

BOOST_AUTO_TEST_CASE(filters_narrow_every_report_and_every_report_answers_csv) {
  // A second campaign with its own number. Campaign 1: Laura's chat, closed with a promise
  // of 100,000 paid 40,000. Campaign 2: Andrés's chat (URGENTE, still assigned) with a
  // promise of 70,000 paid in full, and a payment against no promise.
  // (Chat 1 first: chat() opens one chat per number.)
  auto c1 = chat("+573101000011", "closed", "'promise'", at(900));
  message(c1, "in", 0);
  assign(c1, agent_a, 60);
  message(c1, "out", 120, agent_a);
  auto other = db.scalar("insert into campaigns (name) values ('Castigada') returning id");
  auto number2 = db.scalar("insert into whatsapp_numbers (name, phone_number, provider,"
                           " campaign_id, meta_phone_number_id) values ('L2', '+573000000010',"
                           " 'meta', '" +
                           other + "', '109876543210556') returning id");
  auto number1 =
      db.scalar("select id from whatsapp_numbers where campaign_id = '" + campaign + "'");
  auto c2 = db.scalar("insert into chats (number_id, debtor_phone, campaign_id, status, priority,"
                      " agent_id, opened_at) values ('" +
                      number2 + "', '+573101000012', '" + other + "', 'assigned', 'URGENTE', '" +
                      agent_b + "', " + at(100) + ") returning id");
  message(c2, "in", 100);
  assign(c2, agent_b, 200);
  message(c2, "out", 260, agent_b);
  message(c2, "out", 270, agent_b);
  auto debtor = db.scalar("select id from debtors limit 1");
  auto promise = [&](const std::string& chat, int amount, const std::string& by, int paid) {
    auto id = db.scalar("insert into payment_promises (debtor_id, chat_id, amount, due_date,"
                        " created_by, created_at) values ('" +
                        debtor + "', '" + chat + "', " + std::to_string(amount) +
                        ", '2026-10-09', '" + by + "', " + at(500) + ") returning id");
    db.exec("insert into payments (debtor_id, promise_id, amount, paid_on) values ('" + debtor +
            "', '" + id + "', " + std::to_string(paid) + ", '2026-10-06')");
  };
  promise(c1, 100000, agent_a, 40000);
  promise(c2, 70000, agent_b, 70000);
  db.exec("insert into payments (debtor_id, amount, paid_on) values ('" + debtor +
          "', 5000, '2026-10-06')");

  auto get = [&](const std::string& target) {
    auto res = call("GET", "/api/v1/reports/" + target, supervisor, "supervisor");
    BOOST_REQUIRE_MESSAGE(res.status == 200, target << ": " << res.body);
    return res;
  };
  auto json_of = [&](const std::string& target) {
    return json::parse(get(target).body);
  };
  const std::string day = "from=2026-10-05&to=2026-10-06";

  // Agents: by campaign and by number, chats and promises alike.
  for (auto filter : {"campaignId=" + other, "numberId=" + number2}) {
    auto r = json_of("agents?" + day + "&" + filter);
    BOOST_CHECK_EQUAL(row(r, agent_a)["chatsHandled"], 0);
    BOOST_CHECK_EQUAL(row(r, agent_a)["promisesMade"], 0);
    BOOST_CHECK_EQUAL(row(r, agent_b)["chatsHandled"], 1);
    BOOST_CHECK_EQUAL(row(r, agent_b)["messagesSent"], 2);
    BOOST_CHECK_EQUAL(row(r, agent_b)["promisesKept"], 1);
    BOOST_CHECK_EQUAL(row(r, agent_b)["amountRecovered"], 70000.0);
  }
  auto by_number1 = json_of("agents?" + day + "&numberId=" + number1);
  BOOST_CHECK_EQUAL(row(by_number1, agent_a)["promisesPartiallyKept"], 1);
  BOOST_CHECK_EQUAL(row(by_number1, agent_b)["promisesMade"], 0);

  // Distribution by status, campaign and priority (and narrowed by campaign).
  auto dist = [&](const std::string& q) {
    return json_of("distribution?" + day + q)["items"];
  };
  BOOST_CHECK_EQUAL(dist("&by=status"), json::parse(R"([{"key":"assigned","chats":1},)"
                                                    R"({"key":"closed","chats":1}])"));
  BOOST_CHECK_EQUAL(dist("&by=campaign"), json::parse(R"([{"key":"Castigada","chats":1},)"
                                                      R"({"key":"Mora 90","chats":1}])"));
  BOOST_CHECK_EQUAL(dist("&by=priority&campaignId=" + other),
                    json::parse(R"([{"key":"URGENTE","chats":1}])"));

  // Trends: unfiltered, every payment; per agent, its chats, what it sent, its promises and
  // what was paid against them; per campaign likewise.
  auto trend = [&](const std::string& q) {
    return json_of("trends?" + day + q)["items"];
  };
  auto all = trend("");
  BOOST_CHECK_EQUAL(all[0]["chatsOpened"], 2);
  BOOST_CHECK_EQUAL(all[0]["messagesIn"], 2);
  BOOST_CHECK_EQUAL(all[1]["amountRecovered"], 115000.0);
  auto andres = trend("&agentId=" + agent_b);
  BOOST_CHECK_EQUAL(andres[0]["chatsOpened"], 1);
  BOOST_CHECK(andres[0]["messagesIn"].is_null());
  BOOST_CHECK_EQUAL(andres[0]["messagesOut"], 2);
  BOOST_CHECK_EQUAL(andres[0]["promisedAmount"], 70000.0);
  BOOST_CHECK_EQUAL(andres[1]["amountRecovered"], 70000.0);
  auto mora = trend("&campaignId=" + campaign);
  BOOST_CHECK_EQUAL(mora[0]["chatsOpened"], 1);
  BOOST_CHECK_EQUAL(mora[0]["messagesIn"], 1);
  BOOST_CHECK_EQUAL(mora[0]["promisedAmount"], 100000.0);
  BOOST_CHECK_EQUAL(mora[1]["amountRecovered"], 40000.0);

  // Every ranking metric answers, best first.
  for (auto metric : {"tmr", "tmo", "sph", "chatsHandled", "chatsClosed", "effectiveness",
                      "messagesSent", "hoursLoggedIn", "promisesMade", "promisedAmount",
                      "promisesKept", "promisesPartiallyKept", "promisesBroken", "amountRecovered"})
    BOOST_CHECK_MESSAGE(json_of("rankings?" + day + "&metric=" + metric)["total"] == 2, metric);
  auto sent = json_of("rankings?" + day + "&metric=messagesSent")["items"];
  BOOST_CHECK_EQUAL(sent[0]["agentId"], agent_b);
  BOOST_CHECK_EQUAL(sent[0]["value"], 2);

  // CSV for every report: its header, then its rows.
  auto lines = [](const std::string& body) {
    return std::count(body.begin(), body.end(), '\n');
  };
  auto rankings = get("rankings?" + day + "&metric=tmr&format=csv");
  BOOST_CHECK(rankings.headers["Content-Type"].rfind("text/csv", 0) == 0);
  BOOST_CHECK(rankings.body.rfind("rank,agentId,fullName,value\r\n", 0) == 0);
  BOOST_CHECK_EQUAL(lines(rankings.body), 3);
  auto distribution = get("distribution?" + day + "&by=status&format=csv").body;
  BOOST_CHECK_EQUAL(distribution, "key,chats\r\nassigned,1\r\nclosed,1\r\n");
  auto trends = get("trends?" + day + "&format=csv").body;
  BOOST_CHECK(trends.rfind("day,chatsOpened,messagesIn,messagesOut,promisesMade,promisedAmount,"
                           "amountRecovered\r\n2026-10-05,2,2,",
                           0) == 0);
  BOOST_CHECK_EQUAL(lines(trends), 3);
  auto overview = get("overview?format=csv").body;
  BOOST_CHECK(overview.rfind("queueLength,oldestWaitSeconds,withBot,agentsByStatus", 0) == 0);
  BOOST_CHECK_EQUAL(lines(overview), 2);
}

BOOST_AUTO_TEST_CASE(bad_filters_and_agents_are_refused) {
  for (auto q : {"?from=yesterday", "?agentId=42", "?format=xml", "?from=2026-10-06&to=2026-10-05",
                 "?from=2020-01-01&to=2026-01-01", "?metric=luck"})
    BOOST_CHECK_MESSAGE(call("GET",
                             std::string{"/api/v1/reports/"} +
                                 (std::string{q} == "?metric=luck" ? "rankings" : "agents") + q,
                             supervisor, "supervisor")
                                .status == 400,
                        q);
  BOOST_CHECK_EQUAL(
      call("GET", "/api/v1/reports/distribution?by=mood", supervisor, "supervisor").status, 400);
  BOOST_CHECK_EQUAL(call("GET", "/api/v1/reports/agents", agent_a, "agent").status, 403);
  BOOST_CHECK_EQUAL(call("GET", "/api/v1/reports/overview", agent_a, "agent").status, 403);
}

BOOST_AUTO_TEST_CASE(the_overview_shows_the_live_floor) {
  BOOST_REQUIRE_EQUAL(debtor_writes("573101000009", "wamid.OV1"), 200); // nobody available
  BOOST_REQUIRE(eventually("chats where status = 'queued'", 1));
  auto res = call("GET", "/api/v1/reports/overview", supervisor, "supervisor");
  BOOST_REQUIRE_EQUAL(res.status, 200);
  auto o = json::parse(res.body);
  BOOST_CHECK_EQUAL(o["queueLength"], 1);
  BOOST_CHECK(o["oldestWaitSeconds"].get<double>() >= 0);
  BOOST_CHECK_EQUAL(o["agentsByStatus"]["offline"], 2);
  BOOST_CHECK_EQUAL(o["agents"].size(), 2u);
  BOOST_CHECK_EQUAL(o["messagesLastHour"]["in"], 1);
}

BOOST_AUTO_TEST_CASE(supervisors_get_the_overview_pushed_and_agents_do_not) {
  extra_env["CRM_STATS_INTERVAL_SECONDS"] = "1";
  restart();
  ws_client boss{server->port(), token(supervisor, "supervisor")};
  ws_client laura{server->port(), token(agent_a, "agent")};
  BOOST_REQUIRE(boss.connected() && laura.connected());
  BOOST_REQUIRE_EQUAL(debtor_writes("573101000010", "wamid.OV2"), 200);
  // Within a few intervals the supervisor sees the waiting chat counted.
  BOOST_CHECK(boss.read_until("\"queueLength\":1", std::chrono::seconds(5)).has_value());
  BOOST_CHECK(!laura.read_until("stats.overview", std::chrono::milliseconds(1500)).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
