// Debtor notes and habeas data (Ley 1581 de 2012) end to end, in the `campaigns` suite: the
// export of everything held about a debtor and its erasure, both audited.
#include "tests/e2e/dispatch_fixture.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

using namespace crm::test;
using nlohmann::json;

namespace {

struct habeas_fixture : dispatch_fixture {
  habeas_fixture() { debtor = db.scalar("select id from debtors"); }

  http_result as_supervisor(const std::string& method, const std::string& target,
                            const json& body = nullptr) const {
    return call(method, target, supervisor, "supervisor", body.is_null() ? "" : body.dump());
  }

  std::string of_debtor(const std::string& expression) const {
    return db.scalar("select " + expression + " from debtors where id = '" + debtor + "'");
  }

  /// The debtor writes in; with `agent` available, the chat is the agent's.
  std::string open_chat(const std::string& agent = {}) {
    if (!agent.empty())
      BOOST_REQUIRE_EQUAL(set_status(agent, "available").status, 200);
    BOOST_REQUIRE_EQUAL(debtor_writes("573009990000", "wamid.H1"), 200);
    BOOST_REQUIRE(eventually(std::string{"chats where debtor_id is not null and status = '"} +
                                 (agent.empty() ? "queued" : "assigned") + "'",
                             1));
    return db.scalar("select id from chats");
  }

  /// A promise, a payment, a note and a task for the debtor, through the API.
  void fill_account(const std::string& chat) {
    auto base = "/api/v1/debtors/" + debtor;
    BOOST_REQUIRE_EQUAL(
        as_supervisor("PATCH", base,
                      {{"email", "urgente@example.com"}, {"tags", {"vip"}}, {"debtAmount", 900000}})
            .status,
        200);
    BOOST_REQUIRE_EQUAL(
        as_supervisor("POST", base + "/promises", {{"amount", 300000}, {"dueDate", "2099-01-31"}})
            .status,
        201);
    BOOST_REQUIRE_EQUAL(as_supervisor("POST", base + "/payments", {{"amount", 100000}}).status,
                        201);
    BOOST_REQUIRE_EQUAL(
        as_supervisor("POST", base + "/notes", {{"body", "Dice que paga el viernes"}}).status, 201);
    // The outbound log (migration 014), where it exists.
    if (db.scalar("select to_regclass('contact_attempts') is not null") == "t")
      db.exec("insert into contact_attempts (debtor_id, kind, to_phone, created_at) values ('" +
              debtor + "', 'agent', '+573009990000', now())");
    BOOST_REQUIRE_EQUAL(as_supervisor("POST", "/api/v1/tasks",
                                      {{"title", "Llamar a Urgente"},
                                       {"notes", "Vive en la calle 5"},
                                       {"dueAt", "2099-01-01T10:00:00Z"},
                                       {"debtorId", debtor},
                                       {"chatId", chat}})
                            .status,
                        201);
  }

  std::string debtor;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(campaigns, habeas_fixture)

BOOST_AUTO_TEST_CASE(notes_are_kept_per_debtor_and_agents_reach_only_their_debtors) {
  auto base = "/api/v1/debtors/" + debtor + "/notes";
  auto res = as_supervisor("POST", base, {{"body", "Primera llamada"}});
  BOOST_REQUIRE_MESSAGE(res.status == 201, res.body);
  auto note = json::parse(res.body);
  BOOST_CHECK_EQUAL(note["debtorId"], debtor);
  BOOST_CHECK_EQUAL(note["body"], "Primera llamada");
  BOOST_CHECK_EQUAL(note["createdBy"], supervisor);
  // 4,000 characters fit, whatever their bytes; one more does not.
  std::string longest;
  for (int i = 0; i < 4000; ++i)
    longest += "ñ";
  BOOST_CHECK_EQUAL(as_supervisor("POST", base, {{"body", longest}}).status, 201);
  for (auto bad : {json::object(), json{{"body", ""}}, json{{"body", 5}},
                   json{{"body", longest + "a"}}, json{{"body", "x"}, {"pinned", true}}}) {
    auto refused = as_supervisor("POST", base, bad);
    BOOST_CHECK_EQUAL(refused.status, 400);
    BOOST_CHECK(refused.body.find("\"field\"") != std::string::npos);
  }
  auto list = json::parse(as_supervisor("GET", base).body);
  BOOST_CHECK_EQUAL(list["total"], 2);
  BOOST_CHECK_EQUAL(list["items"][1]["body"], "Primera llamada"); // newest first
  BOOST_CHECK_EQUAL(json::parse(as_supervisor("GET", base + "?limit=1").body)["items"].size(), 1u);
  BOOST_CHECK_EQUAL(count("debtor_notes"), 2);
  // Agents: only on the debtors of their chats.
  BOOST_CHECK_EQUAL(call("GET", base, agent_a, "agent").status, 404);
  open_chat(agent_a);
  BOOST_CHECK_EQUAL(call("GET", base, agent_a, "agent").status, 200);
  BOOST_CHECK_EQUAL(
      call("POST", base, agent_a, "agent", json{{"body", "Promete pagar"}}.dump()).status, 201);
  BOOST_CHECK_EQUAL(call("GET", base, agent_b, "agent").status, 404);
  BOOST_CHECK_EQUAL(call("POST", base, agent_b, "agent", json{{"body", "x"}}.dump()).status, 404);
  BOOST_CHECK_EQUAL(count("debtor_notes where created_by = '" + agent_a + "'"), 1);
  BOOST_CHECK_EQUAL(
      as_supervisor("GET", "/api/v1/debtors/6f1c2d3e-0000-4000-8000-000000000001/notes").status,
      404);
}

BOOST_AUTO_TEST_CASE(the_export_holds_everything_about_the_debtor_and_is_audited) {
  auto chat = open_chat(agent_a);
  fill_account(chat);
  auto res = as_supervisor("GET", "/api/v1/debtors/" + debtor + "/export");
  BOOST_REQUIRE_MESSAGE(res.status == 200, res.body);
  auto doc = json::parse(res.body);
  BOOST_CHECK_EQUAL(doc["debtor"]["fullName"], "Urgente");
  BOOST_CHECK_EQUAL(doc["debtor"]["email"], "urgente@example.com");
  BOOST_CHECK(doc["debtor"]["erasedAt"].is_null());
  BOOST_REQUIRE_EQUAL(doc["phones"].size(), 1u);
  BOOST_CHECK_EQUAL(doc["phones"][0]["phone"], "+573009990000");
  BOOST_REQUIRE_EQUAL(doc["promises"].size(), 1u);
  BOOST_CHECK_EQUAL(doc["promises"][0]["amount"], 300000);
  BOOST_REQUIRE_EQUAL(doc["payments"].size(), 1u);
  BOOST_CHECK_EQUAL(doc["payments"][0]["amount"], 100000);
  BOOST_REQUIRE_EQUAL(doc["notes"].size(), 1u);
  BOOST_CHECK_EQUAL(doc["notes"][0]["body"], "Dice que paga el viernes");
  BOOST_REQUIRE_EQUAL(doc["tasks"].size(), 1u);
  BOOST_CHECK_EQUAL(doc["tasks"][0]["notes"], "Vive en la calle 5");
  BOOST_REQUIRE_EQUAL(doc["chats"].size(), 1u);
  BOOST_CHECK_EQUAL(doc["chats"][0]["id"], chat);
  BOOST_REQUIRE_EQUAL(doc["chats"][0]["messages"].size(), 1u);
  BOOST_CHECK_EQUAL(doc["chats"][0]["messages"][0]["text"], "Hola, ¿puedo pagar?");
  BOOST_REQUIRE(doc["contactAttempts"].is_array());
  if (db.scalar("select to_regclass('contact_attempts') is not null") == "t") {
    BOOST_REQUIRE_EQUAL(doc["contactAttempts"].size(), 1u);
    BOOST_CHECK_EQUAL(doc["contactAttempts"][0]["toPhone"], "+573009990000");
    BOOST_CHECK_EQUAL(doc["contactAttempts"][0]["debtorId"], debtor);
  }
  BOOST_CHECK(doc.contains("exportedAt"));
  // Audited in the same transaction: who, what, from where; the data itself is not copied.
  auto audited = "audit_log where action = 'debtors.export' and entity = 'debtors' and"
                 " entity_id = '" +
                 debtor + "' and user_id = '" + supervisor + "' and ip is not null";
  BOOST_CHECK_EQUAL(count(audited), 1);
  BOOST_CHECK_EQUAL(count("audit_log where action = 'debtors.export' and after::text like"
                          " '%puedo pagar%'"),
                    0);
  BOOST_CHECK_EQUAL(json::parse(as_supervisor("GET", "/api/v1/audit/verify").body)["valid"], true);
  // Agents do not export, not even their own debtor's data; the auditor lacks debtors:read.
  BOOST_CHECK_EQUAL(call("GET", "/api/v1/debtors/" + debtor, agent_a, "agent").status, 200);
  auto agent = call("GET", "/api/v1/debtors/" + debtor + "/export", agent_a, "agent");
  BOOST_CHECK_EQUAL(agent.status, 403);
  BOOST_CHECK(agent.body.find("\"forbidden\"") != std::string::npos);
  BOOST_CHECK_EQUAL(call("GET", "/api/v1/debtors/" + debtor + "/export", agent_b, "agent").status,
                    404);
  auto auditor = add_user("auditor@demo.crm", "auditor");
  restart();
  BOOST_CHECK_EQUAL(call("GET", "/api/v1/debtors/" + debtor + "/export", auditor, "auditor").status,
                    403);
  BOOST_CHECK_EQUAL(count(audited), 1); // refused exports leave no export row
}

BOOST_AUTO_TEST_CASE(erasure_anonymises_the_debtor_keeps_the_amounts_and_waits_for_open_chats) {
  auto chat = open_chat();
  fill_account(chat);
  auto target = "/api/v1/debtors/" + debtor + "/erase";
  BOOST_CHECK_EQUAL(as_supervisor("POST", target, json::object()).status, 400);
  BOOST_CHECK_EQUAL(as_supervisor("POST", target, {{"reason", ""}}).status, 400);
  BOOST_CHECK_EQUAL(call("POST", target, agent_a, "agent", json{{"reason", "x"}}.dump()).status,
                    403);
  // An open chat first has to be closed; nothing changes meanwhile.
  auto refused = as_supervisor("POST", target, {{"reason", "Solicitud del titular"}});
  BOOST_CHECK_EQUAL(refused.status, 409);
  BOOST_CHECK(refused.body.find("close it first") != std::string::npos);
  BOOST_CHECK_EQUAL(of_debtor("full_name"), "Urgente");
  BOOST_CHECK_EQUAL(count("debtor_phones"), 1);
  BOOST_REQUIRE_EQUAL(
      as_supervisor("POST", "/api/v1/chats/" + chat + "/close", {{"outcome", "refused"}}).status,
      200);
  auto res = as_supervisor("POST", target, {{"reason", "Solicitud del titular"}});
  BOOST_REQUIRE_MESSAGE(res.status == 200, res.body);
  auto erased = json::parse(res.body);
  BOOST_CHECK_EQUAL(erased["fullName"], "Titular anonimizado");
  BOOST_CHECK(erased["erasedAt"].is_string());
  // Personal fields, as stored.
  BOOST_CHECK_EQUAL(of_debtor("full_name"), "Titular anonimizado");
  BOOST_CHECK_EQUAL(of_debtor("document_number"), "ANON-" + debtor.substr(0, 8));
  BOOST_CHECK_EQUAL(of_debtor("email is null and tags = '{}' and opted_out and erased_at is not"
                              " null"),
                    "t");
  BOOST_CHECK_EQUAL(count("debtor_phones"), 0);
  BOOST_CHECK_EQUAL(count("debtor_notes"), 0);
  BOOST_CHECK_EQUAL(db.scalar("select debtor_phone from chats"), "erased:" + chat.substr(0, 8));
  BOOST_CHECK_EQUAL(db.scalar("select contact_name from chats"), "");
  BOOST_CHECK_EQUAL(count("messages"), 1);
  BOOST_CHECK_EQUAL(count("messages where body = '[dato eliminado]' and media is null"), 1);
  BOOST_CHECK_EQUAL(db.scalar("select notes from tasks"), "");
  BOOST_CHECK_EQUAL(db.scalar("select title from tasks"), "Llamar a Titular anonimizado");
  // Amounts stay for the accounting.
  BOOST_CHECK_EQUAL(of_debtor("debt_amount::text"), "900000.00");
  BOOST_CHECK_EQUAL(db.scalar("select amount::text from payment_promises"), "300000.00");
  BOOST_CHECK_EQUAL(db.scalar("select amount::text from payments"), "100000.00");
  // Audited with its reason; the export now shows nothing personal.
  BOOST_CHECK_EQUAL(count("audit_log where action = 'debtors.erase' and entity_id = '" + debtor +
                          "' and user_id = '" + supervisor +
                          "' and after->>'reason' = 'Solicitud del titular'"),
                    1);
  BOOST_CHECK_EQUAL(count("audit_log where action = 'debtors.erase' and after::text like"
                          " '%Urgente%'"),
                    0);
  auto doc = as_supervisor("GET", "/api/v1/debtors/" + debtor + "/export");
  BOOST_REQUIRE_EQUAL(doc.status, 200);
  BOOST_CHECK(json::parse(doc.body)["debtor"]["erasedAt"].is_string());
  for (auto personal : {"Urgente", "urgente@example.com", "puedo pagar", "573009990000",
                        "paga el viernes", "calle 5", "Deudor 0000"})
    BOOST_CHECK_MESSAGE(doc.body.find(personal) == std::string::npos, personal);
  BOOST_CHECK_EQUAL(as_supervisor("POST",
                                  "/api/v1/debtors/6f1c2d3e-0000-4000-8000-000000000001"
                                  "/erase",
                                  {{"reason", "x"}})
                        .status,
                    404);
}

BOOST_AUTO_TEST_SUITE_END()
