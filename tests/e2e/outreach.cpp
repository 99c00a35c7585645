// The collection bot and proactive contact end to end: a debtor goes through the default
// flow by webhooks to a promise and an agent; outbound campaign sends wait for the contact
// window (the compliance clock shifted with CRM_CLOCK_OFFSET_SECONDS) and keep the daily cap;
// co-debtors have their own counters, references none; an opt-out stops it all; the
// forbidden question is refused.
#include "tests/e2e/dispatch_fixture.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>

using namespace crm::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

/// Unix seconds of a UTC civil time.
std::int64_t utc(int y, unsigned m, unsigned d, int hour, int minute, int second) {
  using namespace std::chrono;
  auto day = sys_days{year{y} / month{m} / std::chrono::day{d}};
  return duration_cast<seconds>(day.time_since_epoch()).count() + hour * 3600 + minute * 60 +
         second;
}

struct outreach_fixture : dispatch_fixture {
  /// Restarts the server with its compliance clock at `unix_s` (now).
  void clock_at(std::int64_t unix_s) {
    extra_env["CRM_CLOCK_OFFSET_SECONDS"] = std::to_string(unix_s - std::time(nullptr));
    restart();
  }

  int debtor_says(const std::string& phone, const std::string& wamid, const std::string& text) {
    auto body = meta_text_webhook(phone_number_id, phone, wamid, text);
    return http_request(server->port(), "POST", "/api/v1/webhooks/meta", body,
                        {{"X-Hub-Signature-256", meta_signature(secret, body)}})
        .status;
  }

  std::string add_debtor(const std::string& name, const std::string& doc, const std::string& phone,
                         const std::string& party = "debtor") {
    auto id = db.scalar("insert into debtors (full_name, document_number, days_overdue,"
                        " debt_amount, party) values ('" +
                        name + "', '" + doc + "', 45, 800000, '" + party + "') returning id");
    db.exec("insert into debtor_phones (debtor_id, phone, is_primary) values ('" + id + "', '" +
            phone + "', true)");
    return id;
  }

  /// The texts the Graph stand-in was asked to send, in order.
  std::vector<json> sends() const {
    std::vector<json> out;
    for (auto& r : graph.requests())
      out.push_back(json::parse(r.body));
    return out;
  }

  /// Waits (up to 10 s) until the stand-in got `n` requests.
  bool graph_got(size_t n) const {
    for (int i = 0; i < 200 && graph.count() < n; ++i)
      std::this_thread::sleep_for(50ms);
    return graph.count() >= n;
  }

  json start_run(int per_minute = 600) {
    auto res = call("POST", "/api/v1/campaigns/" + campaign + "/outbound", supervisor, "supervisor",
                    json{{"template", {{"name", "recordatorio_pago"}, {"language", "es"}}},
                         {"perMinute", per_minute},
                         {"filters", {{"minDaysOverdue", 30}}}}
                        .dump());
    BOOST_REQUIRE_MESSAGE(res.status == 201, res.body);
    return json::parse(res.body);
  }

  json run(const std::string& id) {
    return json::parse(call("GET", "/api/v1/outbound/" + id, supervisor, "supervisor").body);
  }

  /// Waits (up to 20 s) for a run to finish.
  bool run_finished(const std::string& id) {
    for (int i = 0; i < 400; ++i) {
      if (run(id)["status"] == "finished")
        return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  /// The date `days` from today in Bogota as the debtor writes it (dd/mm/yyyy).
  static std::string bogota_date_in(int days) {
    auto t = std::time(nullptr) - 5 * 3600 + static_cast<std::time_t>(days) * 86400;
    char buf[16];
    std::strftime(buf, sizeof buf, "%d/%m/%Y", std::gmtime(&t));
    return buf;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(outreach, outreach_fixture)

BOOST_AUTO_TEST_CASE(a_debtor_goes_through_the_default_flow_to_a_promise_and_an_agent) {
  BOOST_REQUIRE(eventually("bot_flows where is_default", 1));
  db.exec("update campaigns set bot_flow_id = (select id from bot_flows where is_default)");
  BOOST_REQUIRE_EQUAL(set_status(agent_a, "available").status, 200);

  BOOST_REQUIRE_EQUAL(debtor_says("573009990000", "wamid.b1", "Hola"), 200);
  BOOST_REQUIRE(eventually("chats where status = 'bot'", 1));
  BOOST_REQUIRE(graph_got(2)); // the greeting, then the menu: two sends
  // The greeting names the debt; the menu lists the options.
  std::string all;
  for (auto& s : sends())
    all += s["text"]["body"].get<std::string>() + "\n";
  BOOST_TEST_MESSAGE(all);
  BOOST_CHECK(all.find("Urgente") != std::string::npos);
  BOOST_CHECK(all.find("1.") != std::string::npos);
  BOOST_CHECK_EQUAL(count("chats where status = 'bot' and agent_id is null"), 1);

  auto before = graph.count();
  BOOST_REQUIRE_EQUAL(debtor_says("573009990000", "wamid.b2", "2"), 200);
  BOOST_REQUIRE(graph_got(before + 1)); // asks for the date
  before = graph.count();
  BOOST_REQUIRE_EQUAL(debtor_says("573009990000", "wamid.b3", bogota_date_in(5)), 200);
  BOOST_REQUIRE(graph_got(before + 1)); // asks for the amount
  BOOST_REQUIRE_EQUAL(debtor_says("573009990000", "wamid.b4", "$ 150.000"), 200);

  BOOST_REQUIRE(eventually("payment_promises where amount = 150000", 1));
  BOOST_CHECK_EQUAL(count("debtors where collection_status = 'promise'"), 1);
  // Handed to the queue, then to the available agent.
  BOOST_REQUIRE(eventually("chats where status = 'assigned' and agent_id = '" + agent_a + "'", 1));
  // The bot's own messages carry no sender and do not count as the agent's reply.
  BOOST_CHECK(count("messages where direction = 'out' and sent_by is null") >= 4);
  BOOST_CHECK_EQUAL(count("chats where first_reply_at is not null"), 0);
  BOOST_CHECK(db.scalar("select bot_state->>'finished' from chats") == "true");
}

BOOST_AUTO_TEST_CASE(a_bot_wait_survives_a_restart_and_its_silence_branch_closes_the_chat) {
  auto flow = json{
      {"name", "corto"},
      {"start", "menu"},
      {"nodes",
       {{{"id", "menu"},
         {"type", "menu"},
         {"text", "Hola {{clientName}}"},
         {"options", {{{"key", "1"}, {"label", "Asesor"}, {"next", "agent"}}}},
         {"timeoutSeconds", 3},
         {"timeout", "bye"}},
        {{"id", "agent"}, {"type", "transfer"}},
        {{"id", "bye"}, {"type", "end"}, {"text", "Hasta pronto"}, {"outcome", "unreachable"}}}}};
  db.exec("insert into bot_flows (name, definition) values ('corto', '" + flow.dump() + "')");
  db.exec("update campaigns set bot_flow_id = (select id from bot_flows where name = 'corto')");
  BOOST_REQUIRE_EQUAL(debtor_says("573009990000", "wamid.t1", "Hola"), 200);
  BOOST_REQUIRE(graph_got(1));
  BOOST_REQUIRE(eventually("chats where bot_state->>'node' = 'menu'", 1));
  restart(); // the wait's deadline is in the session: the new process re-arms it
  for (int i = 0; i < 200 && count("chats where status = 'closed'") == 0; ++i)
    std::this_thread::sleep_for(50ms);
  BOOST_REQUIRE_EQUAL(count("chats where status = 'closed' and outcome = 'unreachable'"), 1);
  BOOST_REQUIRE(graph_got(2));
  BOOST_CHECK_EQUAL(sends().back()["text"]["body"], "Hasta pronto");
}

BOOST_AUTO_TEST_CASE(campaign_sends_wait_for_the_window_and_keep_the_daily_cap) {
  // Monday 1 March 2027 (no holiday), 06:59:48 in Bogota: the window opens in 12 seconds.
  clock_at(utc(2027, 3, 1, 11, 59, 48));
  auto second = add_debtor("Segunda", "901", "+573009990001");
  auto co = add_debtor("Codeudor", "902", "+573009990002", "co_debtor");
  db.exec("update debtors set primary_debtor_id = '" + second + "' where id = '" + co + "'");
  // A personal reference, marked through the API (bad values refused, nothing changed).
  auto ref = add_debtor("Referencia", "903", "+573009990003");
  auto patch = [&](const json& body) {
    return call("PATCH", "/api/v1/debtors/" + ref, supervisor, "supervisor", body.dump());
  };
  BOOST_CHECK_EQUAL(patch({{"party", "neighbour"}}).status, 400);
  BOOST_CHECK_EQUAL(patch({{"authorizedChannels", {"pigeon"}}}).status, 400);
  BOOST_CHECK_EQUAL(patch({{"primaryDebtorId", ref}}).status, 400);
  BOOST_CHECK_EQUAL(count("debtors where party = 'debtor'"), 3);
  auto marked = patch({{"party", "reference"}, {"primaryDebtorId", second}});
  BOOST_REQUIRE_MESSAGE(marked.status == 200, marked.body);
  BOOST_CHECK_EQUAL(json::parse(marked.body)["party"], "reference");
  BOOST_CHECK_EQUAL(json::parse(marked.body)["primaryDebtorId"], second);

  auto first = start_run();
  BOOST_CHECK_EQUAL(first["total"], 3); // the reference is never selected
  std::this_thread::sleep_for(2000ms);
  BOOST_CHECK_EQUAL(graph.count(), 0u); // before 07:00: waiting
  BOOST_CHECK_EQUAL(count("contact_attempts"), 0);
  BOOST_REQUIRE(run_finished(first["id"]));
  BOOST_REQUIRE(graph_got(3));
  for (auto& s : sends()) {
    BOOST_CHECK_EQUAL(s["type"], "template");
    BOOST_CHECK_EQUAL(s["template"]["name"], "recordatorio_pago");
  }
  BOOST_CHECK_EQUAL(count("contact_attempts where status = 'sent' and kind = 'campaign'"), 3);
  // Each send opened a chat that waits for the debtor, not for an agent.
  BOOST_CHECK_EQUAL(count("chats where status = 'bot'"), 3);

  // Same day, a second run: every debtor (co-debtor included) already had their contact.
  auto again = start_run();
  BOOST_REQUIRE(run_finished(again["id"]));
  auto done = run(again["id"]);
  BOOST_CHECK_EQUAL(done["skipped"], 3);
  BOOST_CHECK_EQUAL(done["skippedBy"]["per_day"], 3);
  BOOST_CHECK_EQUAL(graph.count(), 3u);

  // An agent reaching out now is refused with the next allowed moment: tomorrow 07:00.
  auto res = call("POST", "/api/v1/debtors/" + second + "/contact", supervisor, "supervisor",
                  json{{"template", {{"name", "recordatorio_pago"}, {"language", "es"}}}}.dump());
  BOOST_REQUIRE_EQUAL(res.status, 422);
  auto err = json::parse(res.body)["error"];
  BOOST_CHECK_EQUAL(err["code"], "contact_not_allowed");
  BOOST_CHECK_EQUAL(err["details"]["rule"], "per_day");
  BOOST_CHECK(err["details"]["nextAllowedAt"].get<std::string>().rfind("2027-03-02T12:00:00", 0) ==
              0);
  // The runs and a debtor's attempts, as supervisors read them.
  auto runs = json::parse(
      call("GET", "/api/v1/campaigns/" + campaign + "/outbound", supervisor, "supervisor").body);
  BOOST_CHECK_EQUAL(runs["total"], 2);
  BOOST_CHECK_EQUAL(runs["items"][0]["id"], again["id"]); // newest first
  auto attempts = json::parse(
      call("GET", "/api/v1/debtors/" + second + "/contacts", supervisor, "supervisor").body);
  BOOST_REQUIRE_EQUAL(attempts["total"], 1);
  BOOST_CHECK_EQUAL(attempts["items"][0]["kind"], "campaign");
  BOOST_CHECK_EQUAL(attempts["items"][0]["status"], "sent");
  BOOST_CHECK(attempts["items"][0]["createdAt"].get<std::string>().rfind("2027-03-01T12:00", 0) ==
              0);
  // A reference: never.
  res = call("POST", "/api/v1/debtors/" + ref + "/contact", supervisor, "supervisor",
             json{{"template", {{"name", "recordatorio_pago"}, {"language", "es"}}}}.dump());
  BOOST_CHECK_EQUAL(res.status, 422);
  BOOST_CHECK_EQUAL(json::parse(res.body)["error"]["details"]["rule"], "reference");
  BOOST_CHECK_EQUAL(count("contact_attempts"), 3);
}

BOOST_AUTO_TEST_CASE(an_agent_contact_outside_the_window_waits_for_monday_and_goes_inside_it) {
  // Sunday 28 February 2027, 10:00 in Bogota.
  clock_at(utc(2027, 2, 28, 15, 0, 0));
  auto urgent = db.scalar("select id from debtors where document_number = '900'");
  auto body = json{{"template", {{"name", "recordatorio_pago"}, {"language", "es"}}}}.dump();
  auto res = call("POST", "/api/v1/debtors/" + urgent + "/contact", agent_a, "agent", body);
  // An agent sees only its debtors: this one is not its own yet.
  BOOST_CHECK_EQUAL(res.status, 404);
  db.exec("update debtors set assigned_agent_id = '" + agent_a + "'");
  res = call("POST", "/api/v1/debtors/" + urgent + "/contact", agent_a, "agent", body);
  BOOST_REQUIRE_EQUAL(res.status, 422);
  auto err = json::parse(res.body)["error"];
  BOOST_CHECK_EQUAL(err["details"]["rule"], "window");
  BOOST_CHECK(err["details"]["nextAllowedAt"].get<std::string>().rfind("2027-03-01T12:00:00", 0) ==
              0);
  BOOST_CHECK_EQUAL(graph.count(), 0u);

  // Monday 10:00: allowed; the template goes out and the agent holds the chat.
  BOOST_REQUIRE_EQUAL(set_status(agent_a, "available").status, 200);
  clock_at(utc(2027, 3, 1, 15, 0, 0));
  res = call("POST", "/api/v1/debtors/" + urgent + "/contact", agent_a, "agent", body);
  BOOST_REQUIRE_MESSAGE(res.status == 201, res.body);
  BOOST_REQUIRE(graph_got(1));
  BOOST_CHECK_EQUAL(sends().at(0)["template"]["name"], "recordatorio_pago");
  BOOST_REQUIRE(eventually("chats where agent_id = '" + agent_a + "'", 1));
  BOOST_CHECK_EQUAL(count("contact_attempts where kind = 'agent' and status = 'sent'"), 1);
}

BOOST_AUTO_TEST_CASE(a_removed_number_is_never_picked_for_a_contact) {
  clock_at(utc(2027, 3, 1, 15, 0, 0)); // Monday 10:00 in Bogota
  auto urgent = db.scalar("select id from debtors where document_number = '900'");
  auto number = db.scalar("select id from whatsapp_numbers");
  BOOST_REQUIRE_EQUAL(
      call("DELETE", "/api/v1/whatsapp/numbers/" + number, supervisor, "supervisor").status, 204);
  auto tmpl = json{{"template", {{"name", "recordatorio_pago"}, {"language", "es"}}}};
  auto res =
      call("POST", "/api/v1/debtors/" + urgent + "/contact", supervisor, "supervisor", tmpl.dump());
  BOOST_CHECK_EQUAL(res.status, 409);
  BOOST_CHECK(res.body.find("no_number") != std::string::npos);
  tmpl["numberId"] = number;
  res =
      call("POST", "/api/v1/debtors/" + urgent + "/contact", supervisor, "supervisor", tmpl.dump());
  BOOST_CHECK_EQUAL(res.status, 400);
  BOOST_CHECK_EQUAL(count("contact_attempts"), 0);
  BOOST_CHECK_EQUAL(graph.count(), 0u);
}

BOOST_AUTO_TEST_CASE(an_opt_out_is_confirmed_once_and_stops_outbound_contact) {
  clock_at(utc(2027, 3, 1, 15, 0, 0)); // Monday 10:00 in Bogota
  BOOST_REQUIRE_EQUAL(debtor_says("573009990000", "wamid.o1", "BAJA"), 200);
  BOOST_REQUIRE(eventually("debtors where opted_out and opted_out_at is not null", 1));
  BOOST_REQUIRE(graph_got(1));
  BOOST_CHECK(sends().at(0)["text"]["body"].get<std::string>().find("no volverá") !=
              std::string::npos);
  BOOST_REQUIRE_EQUAL(debtor_says("573009990000", "wamid.o2", "baja"), 200);
  BOOST_REQUIRE_EQUAL(debtor_says("573009990000", "wamid.o3", "la cuota más baja"), 200);
  std::this_thread::sleep_for(1s);
  BOOST_CHECK_EQUAL(graph.count(), 1u); // confirmed once

  auto r = start_run();
  BOOST_CHECK_EQUAL(r["total"], 0);
  auto urgent = db.scalar("select id from debtors where document_number = '900'");
  auto res = call("POST", "/api/v1/debtors/" + urgent + "/contact", supervisor, "supervisor",
                  json{{"template", {{"name", "recordatorio_pago"}, {"language", "es"}}}}.dump());
  BOOST_CHECK_EQUAL(res.status, 422);
  BOOST_CHECK_EQUAL(json::parse(res.body)["error"]["details"]["rule"], "opted_out");
  BOOST_CHECK_EQUAL(count("contact_attempts"), 0);
}

BOOST_AUTO_TEST_CASE(a_template_after_the_24_hours_and_a_phone_call_count_as_contacts) {
  clock_at(utc(2027, 3, 1, 15, 0, 0)); // Monday 10:00 in Bogota
  auto urgent = db.scalar("select id from debtors where document_number = '900'");
  BOOST_REQUIRE_EQUAL(set_status(agent_a, "available").status, 200);
  BOOST_REQUIRE_EQUAL(debtor_says("573009990000", "wamid.t1", "Hola"), 200);
  BOOST_REQUIRE(eventually("chats where agent_id = '" + agent_a + "'", 1));
  auto chat = db.scalar("select id from chats");
  auto shown = json::parse(call("GET", "/api/v1/chats/" + chat, agent_a, "agent").body);
  BOOST_CHECK_EQUAL(shown["debtorName"], "Urgente");
  auto tmpl =
      json{{"type", "template"}, {"template", {{"name", "recordatorio_pago"}, {"language", "es"}}}}
          .dump();
  auto send = [&] {
    return call("POST", "/api/v1/chats/" + chat + "/messages", agent_a, "agent", tmpl);
  };
  // Inside the 24 hours a template answers the debtor: no contact counted.
  auto res = send();
  BOOST_REQUIRE_MESSAGE(res.status == 201, res.body);
  BOOST_CHECK_EQUAL(count("contact_attempts"), 0);

  // The debtor's last message is 25 hours old: the template is a new contact, reserved.
  db.exec("update chats set last_inbound_at = now() - interval '25 hours'");
  res = send();
  BOOST_REQUIRE_MESSAGE(res.status == 201, res.body);
  auto sent = json::parse(res.body)["id"].get<std::string>();
  BOOST_REQUIRE(eventually("contact_attempts where kind = 'agent' and status = 'sent' and"
                           " message_id = '" +
                               sent + "' and chat_id = '" + chat + "'",
                           1));
  // A second one the same day breaks the daily cap: 422 with tomorrow 07:00.
  res = send();
  BOOST_REQUIRE_EQUAL(res.status, 422);
  auto err = json::parse(res.body)["error"];
  BOOST_CHECK_EQUAL(err["details"]["rule"], "per_day");
  BOOST_CHECK(err["details"]["nextAllowedAt"].get<std::string>().rfind("2027-03-02T12:00:00", 0) ==
              0);
  BOOST_CHECK_EQUAL(count("messages where direction = 'out'"), 2);

  // A phone call made outside the CRM is recorded (bad input refused, nothing written); it
  // already happened, so it is kept, flagged with the rule it broke.
  auto record = [&](const json& body) {
    return call("POST", "/api/v1/debtors/" + urgent + "/contacts", agent_a, "agent", body.dump());
  };
  BOOST_CHECK_EQUAL(record({{"channel", "pigeon"}}).status, 400);
  BOOST_CHECK_EQUAL(record({{"channel", "call"}, {"at", "yesterday"}}).status, 400);
  BOOST_CHECK_EQUAL(record({{"channel", "call"}, {"at", "2027-02-30T10:00:00Z"}}).status, 400);
  BOOST_CHECK_EQUAL(record({{"channel", "call"}, {"note", std::string(4001, 'x')}}).status, 400);
  BOOST_CHECK_EQUAL(count("contact_attempts"), 1);
  res = record({{"channel", "call"}, {"note", "Llamada: promete pagar el viernes"}});
  BOOST_REQUIRE_MESSAGE(res.status == 201, res.body);
  auto call_row = json::parse(res.body);
  BOOST_CHECK_EQUAL(call_row["channel"], "call");
  BOOST_CHECK_EQUAL(call_row["compliant"], false);
  // WhatsApp already this week: a second channel (it was also the day's second contact).
  BOOST_CHECK_EQUAL(call_row["brokenRule"], "channel_week");
  BOOST_CHECK_EQUAL(call_row["note"], "Llamada: promete pagar el viernes");

  // Tuesday: the call this week closes WhatsApp until next Monday (one channel a week).
  clock_at(utc(2027, 3, 2, 15, 0, 0));
  res = send();
  BOOST_REQUIRE_EQUAL(res.status, 422);
  err = json::parse(res.body)["error"];
  BOOST_CHECK_EQUAL(err["details"]["rule"], "channel_week");
  BOOST_CHECK(err["details"]["nextAllowedAt"].get<std::string>().rfind("2027-03-08T12:00:00", 0) ==
              0);
  BOOST_CHECK_EQUAL(count("messages where direction = 'out'"), 2);
}

BOOST_AUTO_TEST_CASE(days_overdue_follow_the_due_date_in_queue_bot_and_campaign_filters) {
  clock_at(utc(2027, 3, 1, 15, 0, 0)); // Monday 10:00 in Bogota
  // Imported with a due date 100 days ago and no stored day count.
  db.exec("update debtors set days_overdue = 0, due_date = current_date - 100");
  BOOST_REQUIRE_EQUAL(debtor_says("573009990000", "wamid.d1", "Hola"), 200);
  BOOST_REQUIRE(eventually("chats where priority = 'URGENTE'", 1));
  auto r = start_run(); // minDaysOverdue 30
  BOOST_CHECK_EQUAL(r["total"], 1);
}

BOOST_AUTO_TEST_CASE(a_debtor_waiting_after_hours_is_told_once_when_the_team_opens) {
  clock_at(utc(2027, 3, 1, 15, 0, 0)); // Monday 10:00 in Bogota; the team opens at 14:00
  db.exec(
      R"(update campaigns set business_hours = '{"mon": "14:00-18:00", "tue": "08:00-18:00"}')");
  BOOST_REQUIRE_EQUAL(debtor_says("573009990000", "wamid.h1", "Hola"), 200); // nobody available
  BOOST_REQUIRE(eventually("chats where status = 'queued'", 1));
  BOOST_REQUIRE(graph_got(1));
  BOOST_CHECK_EQUAL(sends().at(0)["text"]["body"],
                    "Gracias por escribirnos. En este momento estamos fuera del horario de "
                    "atención; un asesor le responderá hoy a las 14:00.");
  BOOST_REQUIRE_EQUAL(debtor_says("573009990000", "wamid.h2", "¿Hay alguien?"), 200);
  std::this_thread::sleep_for(1s);
  BOOST_CHECK_EQUAL(graph.count(), 1u); // once

  // Monday 19:00: closed until Tuesday 08:00, told again after a restart (a new day's
  // question); inside the hours nobody is told anything.
  clock_at(utc(2027, 3, 2, 0, 0, 0));
  BOOST_REQUIRE_EQUAL(debtor_says("573009990000", "wamid.h3", "Sigo esperando"), 200);
  BOOST_REQUIRE(graph_got(2));
  BOOST_CHECK(sends().at(1)["text"]["body"].get<std::string>().ends_with("mañana a las 08:00."));
  clock_at(utc(2027, 3, 2, 15, 0, 0)); // Tuesday 10:00
  BOOST_REQUIRE_EQUAL(debtor_says("573009990000", "wamid.h4", "Buenos días"), 200);
  std::this_thread::sleep_for(1s);
  BOOST_CHECK_EQUAL(graph.count(), 2u);
  BOOST_CHECK_EQUAL(count("chats where status = 'queued'"), 1);
}

BOOST_AUTO_TEST_CASE(an_opt_out_from_an_unknown_phone_is_kept_for_the_debtor_added_later) {
  BOOST_REQUIRE_EQUAL(debtor_says("573001112299", "wamid.u1", "STOP"), 200);
  BOOST_REQUIRE(graph_got(1)); // confirmed, though no debtor has this phone
  BOOST_CHECK(sends().at(0)["text"]["body"].get<std::string>().find("no volverá") !=
              std::string::npos);
  BOOST_REQUIRE_EQUAL(debtor_says("573001112299", "wamid.u2", "stop"), 200);
  std::this_thread::sleep_for(1s);
  BOOST_CHECK_EQUAL(graph.count(), 1u); // once
  auto res = call("POST", "/api/v1/debtors", supervisor, "supervisor",
                  json{{"fullName", "Nuevo Deudor"},
                       {"documentNumber", "777"},
                       {"phones", {"+57 300 111 2299"}},
                       {"debtAmount", 1000}}
                      .dump());
  BOOST_REQUIRE_MESSAGE(res.status == 201, res.body);
  BOOST_CHECK_EQUAL(json::parse(res.body)["optedOut"], true);
  auto id = json::parse(res.body)["id"].get<std::string>();
  res = call("POST", "/api/v1/debtors/" + id + "/contact", supervisor, "supervisor",
             json{{"template", {{"name", "recordatorio_pago"}, {"language", "es"}}}}.dump());
  BOOST_CHECK_EQUAL(res.status, 422);
  BOOST_CHECK_EQUAL(json::parse(res.body)["error"]["details"]["rule"], "opted_out");

  // The agent who works the debtor cannot undo it; a supervisor can, when the debtor
  // consents again, and then the phone is forgotten too.
  BOOST_REQUIRE_EQUAL(call("PATCH", "/api/v1/debtors/" + id, supervisor, "supervisor",
                           json{{"assignedAgentId", agent_a}}.dump())
                          .status,
                      200);
  res = call("PATCH", "/api/v1/debtors/" + id, agent_a, "agent", json{{"optedOut", false}}.dump());
  BOOST_CHECK_EQUAL(res.status, 403);
  BOOST_CHECK_EQUAL(json::parse(res.body)["error"]["details"]["field"], "optedOut");
  BOOST_CHECK_EQUAL(call("PATCH", "/api/v1/debtors/" + id, agent_a, "agent",
                         json{{"assignedAgentId", agent_b}}.dump())
                        .status,
                    403);
  BOOST_CHECK_EQUAL(count("debtors where id = '" + id + "' and opted_out"), 1);
  res = call("PATCH", "/api/v1/debtors/" + id, agent_a, "agent",
             json{{"email", "nuevo@correo.co"}}.dump());
  BOOST_CHECK_EQUAL(res.status, 200); // the rest of the account is the agent's to update
  res = call("PATCH", "/api/v1/debtors/" + id, supervisor, "supervisor",
             json{{"optedOut", false}}.dump());
  BOOST_REQUIRE_EQUAL(res.status, 200);
  BOOST_CHECK_EQUAL(json::parse(res.body)["optedOut"], false);
  BOOST_CHECK(json::parse(res.body)["optedOutAt"].is_null());
  BOOST_CHECK_EQUAL(count("opted_out_phones where phone = '+573001112299'"), 0);
  res = call("PATCH", "/api/v1/debtors/" + id, supervisor, "supervisor",
             json{{"optedOut", true}}.dump());
  BOOST_CHECK(!json::parse(res.body)["optedOutAt"].is_null());
  BOOST_CHECK_EQUAL(count("opted_out_phones where phone = '+573001112299'"), 1);
}

BOOST_AUTO_TEST_CASE(the_forbidden_question_is_refused_and_the_composer_warned) {
  auto check = call("POST", "/api/v1/compliance/check", agent_a, "agent",
                    json{{"text", "Buenos días, ¿POR QUE no ha pagado su cuota?"}}.dump());
  BOOST_REQUIRE_EQUAL(check.status, 200);
  auto c = json::parse(check.body);
  BOOST_CHECK_EQUAL(c["allowed"], false);
  BOOST_CHECK_EQUAL(c["warnings"][0]["code"], "forbidden_question");
  check = call("POST", "/api/v1/compliance/check", agent_a, "agent",
               json{{"text", "Le ofrezco pagar en dos cuotas"}}.dump());
  BOOST_CHECK_EQUAL(json::parse(check.body)["allowed"], true);

  BOOST_REQUIRE_EQUAL(set_status(agent_a, "available").status, 200);
  BOOST_REQUIRE_EQUAL(debtor_says("573009990000", "wamid.f1", "Hola"), 200);
  BOOST_REQUIRE(eventually("chats where agent_id = '" + agent_a + "'", 1));
  auto chat = db.scalar("select id from chats");
  auto res = call("POST", "/api/v1/chats/" + chat + "/messages", agent_a, "agent",
                  json{{"type", "text"}, {"text", "¿Por qué no ha pagado?"}}.dump());
  BOOST_CHECK_EQUAL(res.status, 422);
  BOOST_CHECK_EQUAL(json::parse(res.body)["error"]["code"], "forbidden_question");
  BOOST_CHECK_EQUAL(count("messages where direction = 'out'"), 0);
}

BOOST_AUTO_TEST_SUITE_END()
