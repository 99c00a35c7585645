// Debtors end to end: CRUD with days overdue and priority from the due date, the CSV import
// (10,000 rows with bad ones reported), the export, and the agents' row-level view.
#include "tests/e2e/dispatch_fixture.hpp"
#include "tests/support/ws_client.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>

using namespace crm::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct debtors_fixture : dispatch_fixture {
  http_result import(const std::string& csv) const {
    return http_request(server->port(), "POST", "/api/v1/debtors/import", csv,
                        {{"Content-Type", "text/csv"},
                         {"Authorization", "Bearer " + token(supervisor, "supervisor")}});
  }

  /// An ISO-8601 UTC time `minutes` from now.
  static std::string in_minutes(int minutes) {
    auto t = std::time(nullptr) + minutes * 60;
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
  }

  /// YYYY-MM-DD of `days` ago (Bogota's date is at most a day off UTC's: callers allow it).
  static std::string days_ago(int days) {
    auto t = std::time(nullptr) - static_cast<std::time_t>(days) * 86400 - 5 * 3600;
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", std::gmtime(&t));
    return buf;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(debtors, debtors_fixture)

BOOST_AUTO_TEST_CASE(a_debtor_is_created_read_changed_and_its_priority_follows_the_due_date) {
  auto res = call("POST", "/api/v1/debtors", supervisor, "supervisor",
                  json{{"fullName", "María Gómez"},
                       {"documentType", "CC"},
                       {"documentNumber", "52123456"},
                       {"phones", {"300 123 4567", "+57 310 000 0000"}},
                       {"debtAmount", 1250000.5},
                       {"currency", "cop"},
                       {"dueDate", days_ago(40)},
                       {"tags", {"tarjeta", "mora-30"}}}
                      .dump());
  BOOST_REQUIRE_MESSAGE(res.status == 201, res.body);
  auto d = json::parse(res.body);
  BOOST_CHECK_EQUAL(d["phones"][0], "+573001234567"); // the first is primary
  BOOST_CHECK_EQUAL(d["currency"], "COP");
  BOOST_CHECK(d["daysOverdue"].get<int>() >= 39 && d["daysOverdue"].get<int>() <= 41);
  BOOST_CHECK_EQUAL(d["priority"], "ALTA");
  auto id = d["id"].get<std::string>();
  BOOST_CHECK_EQUAL(
      call("POST", "/api/v1/debtors", supervisor, "supervisor",
           json{{"fullName", "Otra"}, {"documentNumber", "52123456"}, {"phones", {"3001112233"}}}
               .dump())
          .status,
      409);
  auto bad = call("POST", "/api/v1/debtors", supervisor, "supervisor",
                  json{{"fullName", "X"}, {"documentNumber", "1"}, {"phones", {"abc"}}}.dump());
  BOOST_CHECK_EQUAL(bad.status, 400);
  BOOST_CHECK_EQUAL(json::parse(bad.body)["error"]["details"]["field"], "phones");
  auto changed = call("PATCH", "/api/v1/debtors/" + id, supervisor, "supervisor",
                      json{{"dueDate", days_ago(100)}, {"collectionStatus", "contacted"}}.dump());
  BOOST_REQUIRE_EQUAL(changed.status, 200);
  BOOST_CHECK_EQUAL(json::parse(changed.body)["priority"], "URGENTE");
  BOOST_CHECK_EQUAL(json::parse(changed.body)["collectionStatus"], "contacted");
  auto urgent =
      json::parse(call("GET", "/api/v1/debtors?priority=URGENTE", supervisor, "supervisor").body);
  BOOST_CHECK_EQUAL(urgent["total"], 2); // the fixture's debtor is 120 days overdue
  BOOST_CHECK_EQUAL(call("GET", "/api/v1/debtors?priority=ROJA", supervisor, "supervisor").status,
                    400);
  auto found = json::parse(call("GET", "/api/v1/debtors?q=gómez", supervisor, "supervisor").body);
  BOOST_CHECK_EQUAL(found["total"], 1);
  BOOST_CHECK_EQUAL(call("GET", "/api/v1/debtors/" + id, supervisor, "supervisor").status, 200);
  BOOST_CHECK_EQUAL(call("DELETE", "/api/v1/debtors/" + id, supervisor, "supervisor").status, 204);
  BOOST_CHECK_EQUAL(call("GET", "/api/v1/debtors/" + id, supervisor, "supervisor").status, 404);
}

BOOST_AUTO_TEST_CASE(an_agent_sees_only_the_debtors_of_its_chats) {
  BOOST_REQUIRE_EQUAL(set_status(agent_a, "available").status, 200);
  BOOST_REQUIRE_EQUAL(debtor_writes("573009990000", "wamid.D1"), 200); // the fixture's debtor
  BOOST_REQUIRE(eventually("chats where status = 'assigned' and debtor_id is not null", 1));
  auto debtor = db.scalar("select debtor_id from chats where status = 'assigned'");
  auto mine = json::parse(call("GET", "/api/v1/debtors", agent_a, "agent").body);
  BOOST_CHECK_EQUAL(mine["total"], 1);
  BOOST_CHECK_EQUAL(call("GET", "/api/v1/debtors/" + debtor, agent_a, "agent").status, 200);
  BOOST_CHECK_EQUAL(json::parse(call("GET", "/api/v1/debtors", agent_b, "agent").body)["total"], 0);
  BOOST_CHECK_EQUAL(call("GET", "/api/v1/debtors/" + debtor, agent_b, "agent").status, 404);
  BOOST_CHECK_EQUAL(call("PATCH", "/api/v1/debtors/" + debtor, agent_b, "agent",
                         json{{"collectionStatus", "promise"}}.dump())
                        .status,
                    404);
  BOOST_CHECK_EQUAL(call("POST", "/api/v1/debtors/import", agent_a, "agent", "{}").status, 403);
}

BOOST_AUTO_TEST_CASE(ten_thousand_rows_import_with_bad_rows_reported_and_export_back) {
  std::string csv = "\xEF\xBB\xBF"
                    "documentNumber,fullName,phone,debtAmount,daysOverdue,tags,currency\r\n";
  for (int i = 0; i < 10000; ++i) {
    auto n = std::to_string(1000000 + i);
    if (i % 1000 == 7)
      csv += n + ",\"Deudor " + n + "\",no-phone,100,10,,COP\r\n"; // bad phone
    else if (i % 1000 == 8)
      csv += n + ",\"Deudor " + n + "\",3001" + n.substr(1) + ",mucho,10,,COP\r\n"; // bad amount
    else
      csv += n + ",\"Deudor, " + n + "\",3001" + n.substr(1) + "," + std::to_string(i * 10) + "," +
             std::to_string(i % 120) + ",lote-a|lote-b,COP\r\n";
  }
  auto started = std::chrono::steady_clock::now();
  auto res = import(csv);
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  BOOST_TEST_MESSAGE("10,000-row import answered in " << took.count() << " s");
  BOOST_REQUIRE_MESSAGE(res.status == 200, res.body.substr(0, 300));
  auto report = json::parse(res.body);
  BOOST_CHECK_EQUAL(report["imported"], 9980);
  BOOST_CHECK_EQUAL(report["updated"], 0);
  BOOST_CHECK_EQUAL(report["failed"], 20);
  BOOST_REQUIRE_EQUAL(report["errors"].size(), 20u);
  BOOST_CHECK_EQUAL(report["errors"][0]["row"], 9); // header is line 1, data row 7 is line 9
  BOOST_CHECK_EQUAL(report["errors"][0]["field"], "phone");
  BOOST_CHECK_EQUAL(report["errors"][1]["field"], "debtAmount");
  BOOST_CHECK_EQUAL(count("debtors where 'lote-b' = any (tags)"), 9980);
  // The same file again updates in place (upsert by document number).
  auto again = json::parse(import(csv).body);
  BOOST_CHECK_EQUAL(again["imported"], 0);
  BOOST_CHECK_EQUAL(again["updated"], 9980);
  BOOST_CHECK_EQUAL(count("debtors"), 9981);
  // A broken file changes nothing and says why.
  auto broken = import("documentNumber,fullName,phone,color\r\n1,a,3001112233,red\r\n");
  BOOST_CHECK_EQUAL(broken.status, 400);
  BOOST_CHECK(broken.body.find("color") != std::string::npos);
  BOOST_CHECK_EQUAL(import("documentNumber,fullName,phone\r\n\"1,a,3001112233\r\n").status, 400);
  BOOST_CHECK_EQUAL(call("POST", "/api/v1/debtors/import", supervisor, "supervisor", csv).status,
                    400); // not sent as text/csv
  auto exported = call("GET", "/api/v1/debtors/export?tag=lote-a", supervisor, "supervisor");
  BOOST_REQUIRE_EQUAL(exported.status, 200);
  BOOST_CHECK(exported.headers["Content-Type"].rfind("text/csv", 0) == 0);
  BOOST_CHECK_EQUAL(std::count(exported.body.begin(), exported.body.end(), '\n'), 9981);
  BOOST_CHECK(exported.body.find("\"Deudor, 1000000\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_import_of_100000_rows_fits_one_request) {
  std::string csv = "documentNumber,fullName,phone,debtAmount,dueDate\n";
  csv.reserve(100000 * 60);
  for (int i = 0; i < 100000; ++i) {
    auto n = std::to_string(2000000 + i);
    csv += n + ",Deudor " + n + ",310" + n + "," + std::to_string(1000 + i) + ",2026-0" +
           std::to_string(1 + i % 9) + "-15\n";
  }
  BOOST_TEST_MESSAGE("CSV of " << csv.size() / (1024 * 1024.0) << " MiB");
  auto started = std::chrono::steady_clock::now();
  auto res = import(csv);
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  BOOST_TEST_MESSAGE("100,000-row import answered in " << took.count() << " s");
  BOOST_REQUIRE_MESSAGE(res.status == 200, res.body.substr(0, 300));
  auto report = json::parse(res.body);
  BOOST_CHECK_EQUAL(report["imported"], 100000);
  BOOST_CHECK_EQUAL(report["failed"], 0);
  BOOST_CHECK_EQUAL(count("debtor_phones where is_primary"), 100001);
  // Other routes keep the server's body limit.
  BOOST_CHECK_EQUAL(call("POST", "/api/v1/debtors", supervisor, "supervisor", csv).status, 413);
}

BOOST_AUTO_TEST_CASE(payments_keep_promises_and_missed_ones_show_broken) {
  auto debtor = json::parse(call("POST", "/api/v1/debtors", supervisor, "supervisor",
                                 json{{"fullName", "Pedro Ruiz"},
                                      {"documentNumber", "80111222"},
                                      {"phones", {"3105556677"}},
                                      {"debtAmount", 500000}}
                                     .dump())
                                .body)["id"]
                    .get<std::string>();
  auto base = "/api/v1/debtors/" + debtor;
  BOOST_CHECK_EQUAL(call("POST", base + "/promises", supervisor, "supervisor",
                         json{{"amount", 100}, {"dueDate", days_ago(3)}}.dump())
                        .status,
                    422); // a promise is for today or later
  auto promise = call("POST", base + "/promises", supervisor, "supervisor",
                      json{{"amount", 300000}, {"dueDate", days_ago(-10)}}.dump());
  BOOST_REQUIRE_EQUAL(promise.status, 201);
  auto promise_id = json::parse(promise.body)["id"].get<std::string>();
  BOOST_CHECK_EQUAL(json::parse(promise.body)["status"], "pending");
  BOOST_CHECK_EQUAL(db.scalar("select collection_status from debtors where id = '" + debtor + "'"),
                    "promise");
  // A first payment counts against the open promise; the second one keeps it.
  auto paid = call("POST", base + "/payments", supervisor, "supervisor",
                   json{{"amount", 100000}, {"method", "PSE"}, {"reference", "TX-1"}}.dump());
  BOOST_REQUIRE_EQUAL(paid.status, 201);
  BOOST_CHECK_EQUAL(json::parse(paid.body)["promiseId"], promise_id);
  auto list = json::parse(call("GET", base + "/promises", supervisor, "supervisor").body);
  BOOST_CHECK_EQUAL(list["items"][0]["status"], "pending");
  BOOST_CHECK_EQUAL(list["items"][0]["paidAmount"], 100000);
  BOOST_REQUIRE_EQUAL(
      call("POST", base + "/payments", supervisor, "supervisor", json{{"amount", 200000}}.dump())
          .status,
      201);
  list = json::parse(call("GET", base + "/promises", supervisor, "supervisor").body);
  BOOST_CHECK_EQUAL(list["items"][0]["status"], "kept");
  BOOST_CHECK_EQUAL(
      call("POST", base + "/payments", supervisor, "supervisor", json{{"amount", -5}}.dump())
          .status,
      400);
  // A promise whose day passed without payment is broken; one partly paid, partially kept.
  db.exec("insert into payment_promises (debtor_id, amount, due_date) values ('" + debtor +
          "', 50000, (now() at time zone 'America/Bogota')::date - 2), ('" + debtor +
          "', 80000, (now() at time zone 'America/Bogota')::date - 1)");
  auto late = db.scalar("select id from payment_promises where amount = 80000");
  BOOST_REQUIRE_EQUAL(call("POST", base + "/payments", supervisor, "supervisor",
                           json{{"amount", 20000}, {"promiseId", late}}.dump())
                          .status,
                      201);
  list = json::parse(call("GET", base + "/promises", supervisor, "supervisor").body);
  std::map<long, std::string> by_amount;
  for (auto& p : list["items"])
    by_amount[p["amount"].get<long>()] = p["status"].get<std::string>();
  BOOST_CHECK_EQUAL(by_amount[50000], "broken");
  BOOST_CHECK_EQUAL(by_amount[80000], "partially_kept");
  BOOST_CHECK_EQUAL(
      json::parse(call("GET", base + "/payments", supervisor, "supervisor").body)["total"], 3);
  // 320,000 of 500,000 paid: not settled yet; the rest settles the account.
  BOOST_REQUIRE_EQUAL(
      call("POST", base + "/payments", supervisor, "supervisor", json{{"amount", 180000}}.dump())
          .status,
      201);
  BOOST_CHECK_EQUAL(db.scalar("select collection_status from debtors where id = '" + debtor + "'"),
                    "paid");
}

BOOST_AUTO_TEST_CASE(quick_replies_global_and_per_campaign_rendered_for_a_debtor) {
  auto global = call("POST", "/api/v1/quick-replies", supervisor, "supervisor",
                     json{{"shortcut", "/saludo"},
                          {"title", "Saludo"},
                          {"body", "Buen día {{clientName}}, le habla {{agentName}}. Su saldo es "
                                   "{{debtAmount}} ({{daysOverdue}} días). {{otro}}"}}
                         .dump());
  BOOST_REQUIRE_MESSAGE(global.status == 201, global.body);
  BOOST_CHECK_EQUAL(call("POST", "/api/v1/quick-replies", supervisor, "supervisor",
                         json{{"shortcut", "/saludo"}, {"title", "Otra"}, {"body", "x"}}.dump())
                        .status,
                    409);
  BOOST_CHECK_EQUAL(
      call("POST", "/api/v1/quick-replies", supervisor, "supervisor",
           json{{"shortcut", "saludo sin barra"}, {"title", "x"}, {"body", "x"}}.dump())
          .status,
      400);
  BOOST_REQUIRE_EQUAL(call("POST", "/api/v1/quick-replies", supervisor, "supervisor",
                           json{{"shortcut", "/saludo"},
                                {"title", "Saludo campaña"},
                                {"body", "Hola {{clientName}}"},
                                {"campaignId", campaign}}
                               .dump())
                          .status,
                      201); // the same shortcut in a campaign is another reply
  BOOST_CHECK_EQUAL(call("POST", "/api/v1/quick-replies", agent_a, "agent",
                         json{{"shortcut", "/mia"}, {"title", "x"}, {"body", "x"}}.dump())
                        .status,
                    403);
  auto mine = json::parse(
      call("GET", "/api/v1/quick-replies?campaignId=" + campaign, agent_a, "agent").body);
  BOOST_CHECK_EQUAL(mine["total"], 2);
  // Rendered for the agent's own debtor (the fixture's, once its chat is the agent's).
  BOOST_REQUIRE_EQUAL(set_status(agent_a, "available").status, 200);
  BOOST_REQUIRE_EQUAL(debtor_writes("573009990000", "wamid.QR1"), 200);
  BOOST_REQUIRE(eventually("chats where status = 'assigned' and debtor_id is not null", 1));
  auto debtor = db.scalar("select debtor_id from chats where status = 'assigned'");
  auto id = json::parse(global.body)["id"].get<std::string>();
  auto text =
      call("GET", "/api/v1/quick-replies/" + id + "/render?debtorId=" + debtor, agent_a, "agent");
  BOOST_REQUIRE_EQUAL(text.status, 200);
  auto rendered = json::parse(text.body)["text"].get<std::string>();
  BOOST_CHECK_MESSAGE(rendered.find("Buen día Urgente, le habla laura@demo.crm.") == 0, rendered);
  BOOST_CHECK(rendered.find("(120 días)") != std::string::npos);
  BOOST_CHECK(rendered.find("{{otro}}") != std::string::npos);
  BOOST_CHECK_EQUAL(
      call("GET", "/api/v1/quick-replies/" + id + "/render?debtorId=" + debtor, agent_b, "agent")
          .status,
      404); // not agent B's debtor
}

BOOST_AUTO_TEST_CASE(tasks_remind_their_assignee_and_broken_promises_create_follow_ups) {
  extra_env["CRM_SCHEDULER_TICK_SECONDS"] = "1";
  restart();
  // A reminder for an agent who is not connected waits for the agent.
  auto early = call("POST", "/api/v1/tasks", agent_a, "agent",
                    json{{"title", "Llamar a la señora Urgente"}, {"dueAt", in_minutes(5)}}.dump());
  BOOST_REQUIRE_MESSAGE(early.status == 201, early.body);
  BOOST_CHECK_EQUAL(json::parse(early.body)["assigneeId"], agent_a);
  std::this_thread::sleep_for(1500ms);
  ws_client a{server->port(), token(agent_a, "agent")};
  BOOST_REQUIRE(a.connected());
  auto reminder = a.read_until("task.reminder", 5s);
  BOOST_REQUIRE(reminder);
  BOOST_CHECK(reminder->find("Llamar a la señora Urgente") != std::string::npos);
  BOOST_CHECK(eventually("tasks where reminded_at is not null", 1));
  BOOST_CHECK(!a.read_until("task.reminder", 2s)); // once
  // Agents give tasks only to themselves and see only theirs.
  BOOST_CHECK_EQUAL(
      call("POST", "/api/v1/tasks", agent_a, "agent",
           json{{"title", "x"}, {"dueAt", in_minutes(60)}, {"assigneeId", agent_b}}.dump())
          .status,
      403);
  BOOST_CHECK_EQUAL(json::parse(call("GET", "/api/v1/tasks", agent_b, "agent").body)["total"], 0);
  BOOST_CHECK_EQUAL(
      json::parse(call("GET", "/api/v1/tasks", supervisor, "supervisor").body)["total"], 1);
  BOOST_CHECK_EQUAL(call("POST", "/api/v1/tasks", agent_a, "agent",
                         json{{"title", "x"}, {"dueAt", "mañana"}}.dump())
                        .status,
                    400);
  // A broken promise: a follow-up task for the debtor's agent, reminded at once.
  auto debtor = db.scalar("select id from debtors limit 1");
  BOOST_REQUIRE_EQUAL(call("PATCH", "/api/v1/debtors/" + debtor, supervisor, "supervisor",
                           json{{"assignedAgentId", agent_a}}.dump())
                          .status,
                      200);
  db.exec("insert into payment_promises (debtor_id, amount, due_date) values ('" + debtor +
          "', 70000, (now() at time zone 'America/Bogota')::date - 1)");
  auto follow_up = a.read_until("Promesa incumplida", 6s);
  BOOST_REQUIRE(follow_up);
  BOOST_CHECK(
      eventually("tasks where source = 'broken_promise' and assignee_id = '" + agent_a + "'", 1));
  BOOST_CHECK(eventually("payment_promises where status = 'broken'", 1));
  // A restart loses no reminder: one that came due while down arrives after.
  auto later =
      json::parse(call("POST", "/api/v1/tasks", agent_a, "agent",
                       json{{"title", "Revisar acuerdo"}, {"dueAt", in_minutes(600)}}.dump())
                      .body)["id"]
          .get<std::string>();
  server.reset();
  db.exec("update tasks set due_at = now() where id = '" + later + "'");
  restart();
  ws_client again{server->port(), token(agent_a, "agent")};
  BOOST_REQUIRE(again.connected());
  BOOST_CHECK(again.read_until("Revisar acuerdo", 6s));
}

BOOST_AUTO_TEST_SUITE_END()
