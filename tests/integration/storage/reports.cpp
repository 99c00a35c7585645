// The supervisors' reports against a real database: hand-built chats with known answers
// (transfers, a reopened conversation, promises partly kept), and a generated month whose
// per-agent figures are recomputed here from the generator's own events, independently of
// the SQL. Each is checked read live, then after the days are rolled up (migration 017),
// then after chats the rollup left open close: the three must agree.
#include "storage/crm_records.hpp"
#include "storage/crm_worker.hpp"
#include "storage/migrate.hpp"
#include "tests/support/environment.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/connection>
#include <pqxx/nontransaction>

#include <cmath>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace {

using json = nlohmann::json;

/// Local (America/Bogota, UTC-5) time `days` before today at hh:mm, as SQL text.
std::string at(int days_ago, int hour, int minute) {
  return "(date_trunc('day', now() at time zone 'America/Bogota') - interval '" +
         std::to_string(days_ago) + " days' + interval '" + std::to_string(hour * 60 + minute) +
         " minutes') at time zone 'America/Bogota'";
}

struct reports_fixture {
  reports_fixture() {
    crm::storage::apply_migrations(conn);
    campaign = db.scalar("insert into campaigns (name) values ('Cartera') returning id");
    number = db.scalar("insert into whatsapp_numbers (name, phone_number, provider,"
                       " meta_phone_number_id, campaign_id) values ('N1', '+5760100001', 'meta',"
                       " '1100001', '" +
                       campaign + "') returning id");
    for (auto name : {"Andrés", "Laura", "Marta"})
      agents.push_back(db.scalar("insert into users (email, password_hash, full_name, role_id)"
                                 " select '" +
                                 std::string(name) + "@t.co', 'x', '" + name +
                                 "', id from roles where name = 'agent' returning id"));
    worker.url = db.url();
    worker.timezone = "America/Bogota";
  }

  /// Runs SQL on the fixture's connection (one connection: hundreds of rows stay quick);
  /// the first column of the first row, if any.
  std::string sql(const std::string& text) {
    pqxx::nontransaction txn{conn};
    auto r = txn.exec(text);
    return r.empty() || r[0][0].is_null() ? std::string{} : r[0][0].as<std::string>();
  }

  std::string chat(const std::string& opened, const std::string& phone) {
    return sql("insert into chats (number_id, debtor_phone, campaign_id, status, opened_at)"
               " values ('" +
               number + "', '" + phone + "', '" + campaign + "', 'assigned', " + opened +
               ") returning id");
  }
  void message(const std::string& chat, const char* dir, const std::string& when,
               const std::string& agent = "") {
    sql("insert into messages (chat_id, number_id, direction, type, body, status, sent_by,"
        " created_at) values ('" +
        chat + "', '" + number + "', '" + dir + "', 'text', 'x', 'read', " +
        (agent.empty() ? "null" : "'" + agent + "'") + ", " + when + ")");
  }
  void assign(const std::string& chat, const std::string& agent, const std::string& when) {
    sql("insert into assignments (chat_id, agent_id, kind, created_at) values ('" + chat + "', '" +
        agent + "', 'assign', " + when + ")");
    sql("update chats set agent_id = '" + agent + "' where id = '" + chat + "'");
  }
  void close(const std::string& chat, const std::string& when, const std::string& outcome) {
    sql("update chats set status = 'closed', closed_at = " + when + ", outcome = '" + outcome +
        "' where id = '" + chat + "'");
  }

  json report(const std::string& op, json filters) {
    auto r = crm::storage::crm_ops::reports(worker, crm::api_request{op, "", "", {}}, filters);
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    return json::parse(r.body);
  }
  json agents_report(const std::string& from, const std::string& to) {
    return report("reports.agents", {{"from", from}, {"to", to}});
  }
  /// Rolls up every past day; the number of days summed.
  int roll_up() { return report("reports.rollup", {{"budgetMs", 60000}})["days"].get<int>(); }
  json row(const json& report, const std::string& agent) {
    for (auto& item : report["items"])
      if (item["agentId"] == agent)
        return item;
    BOOST_FAIL("no row for " + agent);
    return {};
  }
  std::string day(int days_ago) {
    return db.scalar("select (now() at time zone 'America/Bogota')::date - " +
                     std::to_string(days_ago));
  }

  crm::test::test_database db;
  pqxx::connection conn{db.url()};
  crm::storage::crm_worker_state worker;
  std::string campaign, number;
  std::vector<std::string> agents;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(reports, reports_fixture)

BOOST_AUTO_TEST_CASE(hand_built_chats_give_the_known_figures_live_and_rolled_up) {
  auto& andres = agents[0];
  auto& laura = agents[1];
  // A: the debtor waits; Andrés answers in 3 min, transfers; Laura owes the answer to the
  // debtor's next message (8 min) and closes with a promise 20 min after taking it.
  auto a = chat(at(5, 10, 0), "+573001");
  message(a, "in", at(5, 10, 0));
  assign(a, andres, at(5, 10, 2));
  message(a, "out", at(5, 10, 5), andres);
  assign(a, laura, at(5, 10, 10));
  message(a, "in", at(5, 10, 12));
  message(a, "out", at(5, 10, 20), laura);
  close(a, at(5, 10, 30), "promise");
  // B: Andrés writes first (proactive: no clock), the debtor answers, Andrés never replies
  // and closes it unreachable after an hour.
  auto b = chat(at(5, 11, 0), "+573002");
  assign(b, andres, at(5, 11, 0));
  message(b, "out", at(5, 11, 1), andres);
  message(b, "in", at(5, 11, 2));
  close(b, at(5, 12, 0), "unreachable");
  // C: the same debtor writes again the next day: a new chat (the reopened conversation),
  // Laura answers in 1 min and keeps it open.
  auto c = chat(at(4, 9, 0), "+573001");
  message(c, "in", at(4, 9, 0));
  assign(c, laura, at(4, 9, 0));
  message(c, "out", at(4, 9, 1), laura);
  // Promises: one partly kept (past due, 40% paid), one kept, one broken; one by the bot.
  auto debtor =
      db.scalar("insert into debtors (full_name, document_number) values ('D', '1') returning id");
  auto promise = [&](const std::string& by, int amount, int due_days_ago) {
    return db.scalar("insert into payment_promises (debtor_id, chat_id, amount, due_date,"
                     " created_by, created_at) values ('" +
                     debtor + "', '" + a + "', " + std::to_string(amount) +
                     ", (now() at time zone 'America/Bogota')::date - " +
                     std::to_string(due_days_ago) + ", " + by + ", " + at(5, 10, 25) +
                     ") returning id");
  };
  auto partly = promise("'" + laura + "'", 100000, 1);
  auto kept = promise("'" + laura + "'", 50000, 1);
  promise("'" + laura + "'", 70000, 2);
  promise("null", 10000, 1);
  auto pay = [&](const std::string& p, int amount) {
    db.exec("insert into payments (debtor_id, promise_id, amount, paid_on) values ('" + debtor +
            "', '" + p + "', " + std::to_string(amount) +
            ", (now() at time zone 'America/Bogota')::date - 2)");
  };
  pay(partly, 40000);
  pay(kept, 50000);

  auto check = [&](const json& r) {
    auto ra = row(r, andres);
    BOOST_CHECK_EQUAL(ra["chatsHandled"], 2);
    BOOST_CHECK_EQUAL(ra["chatsClosed"], 1);
    BOOST_CHECK_EQUAL(ra["outcomes"], json({{"unreachable", 1}}));
    BOOST_CHECK_EQUAL(ra["tmrSeconds"], 180.0); // only A: B was never answered
    BOOST_CHECK_EQUAL(ra["answeredChats"], 1);
    BOOST_CHECK_EQUAL(ra["unansweredChats"], 1);
    BOOST_CHECK_EQUAL(ra["tmoSeconds"], 3600.0);
    BOOST_CHECK_EQUAL(ra["messagesSent"], 2);
    auto rl = row(r, laura);
    BOOST_CHECK_EQUAL(rl["chatsHandled"], 2);
    BOOST_CHECK_EQUAL(rl["chatsClosed"], 1);
    BOOST_CHECK_EQUAL(rl["tmrSeconds"], 270.0); // (480 + 60) / 2
    BOOST_CHECK_EQUAL(rl["tmoSeconds"], 1200.0);
    BOOST_CHECK_EQUAL(rl["effectiveness"], 0.5);
    BOOST_CHECK_EQUAL(rl["promisesMade"], 3);
    BOOST_CHECK_EQUAL(rl["promisedAmount"], 220000.0);
    BOOST_CHECK_EQUAL(rl["promisesKept"], 1);
    BOOST_CHECK_EQUAL(rl["promisesPartiallyKept"], 1);
    BOOST_CHECK_EQUAL(rl["promisesBroken"], 1);
    BOOST_CHECK_EQUAL(rl["amountRecovered"], 90000.0);
    BOOST_CHECK_EQUAL(row(r, agents[2])["chatsHandled"], 0);
  };
  auto from = day(6), to = day(1);
  check(agents_report(from, to));
  BOOST_CHECK_GE(roll_up(), 4); // yesterday waits an hour past midnight
  BOOST_CHECK_EQUAL(db.scalar("select count(*) from report_agent_days"), "3");
  check(agents_report(from, to));
  // C was open at the rollup: closing it now is seen through the live side.
  close(c, "now()", "paid");
  auto later = agents_report(from, to);
  BOOST_CHECK_EQUAL(row(later, laura)["chatsClosed"], 2);
  BOOST_CHECK_EQUAL(row(later, laura)["outcomes"], json({{"paid", 1}, {"promise", 1}}));
  auto dist = report("reports.distribution", {{"from", from}, {"to", to}, {"by", "outcome"}});
  BOOST_CHECK_EQUAL(dist["items"],
                    json::parse(R"([{"key":"paid","chats":1},{"key":"promise","chats":1},)"
                                R"({"key":"unreachable","chats":1}])"));
}

namespace {

/// One generated handling, and the figures the definitions give it (computed here).
struct expected_agent {
  int handled = 0, closed = 0, answered = 0, unanswered = 0, sent = 0;
  double tmr = 0, tmo = 0;
};

} // namespace

BOOST_AUTO_TEST_CASE(a_generated_month_matches_figures_computed_from_its_events) {
  std::mt19937 rng(20261127);
  auto pick = [&](int n) {
    return static_cast<int>(rng() % static_cast<unsigned>(n));
  };
  std::map<std::string, expected_agent> want;
  std::vector<std::string> still_open;
  for (int i = 0; i < 150; ++i) {
    int days_ago = 2 + pick(28);
    int minute = 8 * 60 + pick(9 * 60); // inside the day, so every event stays on it
    auto t = [&](int m) {
      return at(days_ago, 0, minute + m);
    };
    auto id = chat(t(0), "+57310" + std::to_string(i));
    // The timeline: the debtor writes, then one or two handlings.
    struct event {
      int m;
      int who; // -1 debtor, else an agent's index
    };
    std::vector<event> out_events;
    message(id, "in", t(0));
    int holder = pick(3);
    int assigned = 1 + pick(5);
    int end = assigned + 10 + pick(30);
    bool transfer = pick(3) == 0;
    int transfer_at = assigned + 5;
    bool replies = pick(4) != 0;
    int reply_at = assigned + 1 + pick(3);
    assign(id, agents[holder], t(assigned));
    // The first handling: owed an answer from the assignment (the debtor message waits).
    auto& first = want[agents[holder]];
    first.handled++;
    if (replies) {
      message(id, "out", t(reply_at), agents[holder]);
      first.sent++;
      first.answered++;
      first.tmr += (reply_at - assigned) * 60;
    } else {
      first.unanswered++;
    }
    int last_start = assigned;
    int last = holder;
    if (transfer) {
      int next = (holder + 1) % 3;
      assign(id, agents[next], t(transfer_at));
      auto& second = want[agents[next]];
      second.handled++;
      // If the first agent replied, nothing waits: the clock starts at the debtor's next one.
      int debtor_again = transfer_at + 2;
      message(id, "in", t(debtor_again));
      int start = replies ? debtor_again : transfer_at;
      if (pick(2) == 0) {
        message(id, "out", t(debtor_again + 3), agents[next]);
        second.sent++;
        second.answered++;
        second.tmr += (debtor_again + 3 - start) * 60;
      } else {
        second.unanswered++;
      }
      last_start = transfer_at;
      last = next;
    }
    if (pick(10) == 0) {
      still_open.push_back(id);
      continue;
    }
    close(id, t(end), "promise");
    want[agents[last]].closed++;
    want[agents[last]].tmo += (end - last_start) * 60;
  }

  auto check = [&](const json& r) {
    for (auto& agent : agents) {
      auto got = row(r, agent);
      auto& w = want[agent];
      BOOST_TEST_CONTEXT(got.dump()) {
        BOOST_CHECK_EQUAL(got["chatsHandled"], w.handled);
        BOOST_CHECK_EQUAL(got["chatsClosed"], w.closed);
        BOOST_CHECK_EQUAL(got["answeredChats"], w.answered);
        BOOST_CHECK_EQUAL(got["unansweredChats"], w.unanswered);
        BOOST_CHECK_EQUAL(got["messagesSent"], w.sent);
        BOOST_CHECK_CLOSE(got["tmrSeconds"].get<double>(), w.tmr / w.answered, 0.1);
        BOOST_CHECK_CLOSE(got["tmoSeconds"].get<double>(), w.tmo / w.closed, 0.1);
      }
    }
  };
  auto from = day(31), to = day(1);
  check(agents_report(from, to));
  BOOST_CHECK_GE(roll_up(), 20);
  check(agents_report(from, to));
  // A range starting mid-day reads that day live and the rest rolled up: the same figures
  // when nothing happened before 08:00.
  check(agents_report(db.scalar("select to_char((date '" + from +
                                "' + time '05:00') at time zone 'America/Bogota',"
                                " 'YYYY-MM-DD\"T\"HH24:MI:SSOF')"),
                      to));
  // Trends agree with the rows: every chat opened is counted once.
  auto trends = report("reports.trends", {{"from", from}, {"to", to}});
  std::int64_t opened = 0;
  for (auto& d : trends["items"])
    opened += d["chatsOpened"].get<std::int64_t>();
  BOOST_CHECK_EQUAL(opened, 150);
  for (auto& id : still_open)
    close(id, "now()", "paid");
  auto after = agents_report(from, to);
  int closed = 0;
  for (auto& agent : agents)
    closed += row(after, agent)["chatsClosed"].get<int>();
  int before = 0;
  for (auto& [_, w] : want)
    before += w.closed;
  BOOST_CHECK_EQUAL(closed, before + static_cast<int>(still_open.size()));
}

BOOST_AUTO_TEST_SUITE_END()
