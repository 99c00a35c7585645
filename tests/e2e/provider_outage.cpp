// A provider outage of a minute (Meta answering 500, then not reachable at all) while agents
// keep replying: the replies wait, the number probes with one message at a time instead of
// hammering the provider, and once it is back every reply is delivered exactly once. Replies
// that waited longer than the configured give-up time fail with the provider's error.
#include "tests/e2e/dispatch_fixture.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace crm::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct outage_fixture : dispatch_fixture {
  outage_fixture() {
    extra_env = {{"CRM_WHATSAPP_RETRY_MAX_MS", "2000"},
                 {"CRM_WHATSAPP_TIMEOUT_SECONDS", "2"},
                 {"CRM_WHATSAPP_OUTAGE_GIVE_UP_MINUTES", "1"}};
    db.exec("update users set max_concurrent_chats = 10");
    restart();
  }

  std::string open_chat(const std::string& phone) {
    BOOST_REQUIRE_EQUAL(debtor_writes(phone, "wamid.IN" + phone), 200);
    std::string where = "chats where debtor_phone = '+" + phone + "' and status = 'assigned'";
    BOOST_REQUIRE(eventually(where, 1));
    return db.scalar("select id from " + where);
  }

  std::string reply(const std::string& chat, const std::string& text) {
    auto res = call("POST", "/api/v1/chats/" + chat + "/messages", agent_a, "agent",
                    json{{"type", "text"}, {"text", text}}.dump());
    BOOST_REQUIRE_EQUAL(res.status, 201);
    return json::parse(res.body)["id"].get<std::string>();
  }

  std::string status_of(const std::string& id) const {
    return db.scalar("select status from messages where id = '" + id + "'");
  }

  /// Requests the stand-in answered 200, by our message id.
  std::map<std::string, int> delivered() const {
    std::map<std::string, int> out;
    for (auto& r : graph.requests())
      if (r.status == 200)
        ++out[json::parse(r.body).value("biz_opaque_callback_data", "")];
    return out;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(provider_outage, outage_fixture)

BOOST_AUTO_TEST_CASE(a_minute_of_provider_outage_delays_replies_and_sends_none_twice) {
  BOOST_REQUIRE_EQUAL(set_status(agent_a, "available").status, 200);
  std::vector<std::string> chats;
  for (int i = 0; i < 3; ++i)
    chats.push_back(open_chat("57301555000" + std::to_string(i)));
  auto warm = reply(chats[0], "Buenos días");
  BOOST_REQUIRE(eventually("messages where id = '" + warm + "' and status = 'sent'", 1));

  auto start = std::chrono::steady_clock::now();
  auto at = [&](std::chrono::seconds s) {
    std::this_thread::sleep_until(start + s);
  };
  // 30 s of 500s, then 35 s in which the provider cannot be reached at all.
  graph.fail_all(500);
  // Replies written in the first seconds wait longer than the give-up time (1 minute).
  std::vector<std::string> early{reply(chats[0], "Le escribo por su saldo"),
                                 reply(chats[1], "¿Podemos hablar hoy?")};
  std::vector<std::string> later;
  for (int s = 10; s <= 60; s += 5) {
    at(std::chrono::seconds(s));
    if (s == 30) {
      graph.fail_all(0);
      graph.set_unreachable(true);
    }
    later.push_back(reply(chats[s % 3], "Respuesta " + std::to_string(s)));
    // Debtors are heard all along: inbound does not depend on the provider.
    BOOST_CHECK_EQUAL(debtor_writes("573015550001", "wamid.OUTAGE." + std::to_string(s)), 200);
    for (auto& id : later)
      BOOST_CHECK_MESSAGE(status_of(id) == "pending",
                          id + ": " +
                              db.scalar("select status || ' ' || coalesce(error::text, '')"
                                        " from messages where id = '" +
                                        id + "'"));
  }
  auto probes = graph.count();
  at(65s);
  graph.set_unreachable(false);

  // Probing, not hammering: at most one request per retry interval (2 s) or so.
  BOOST_TEST_MESSAGE(probes << " requests reached the provider during the outage");
  BOOST_CHECK_LT(probes, 50u);
  for (int i = 0; i < 200; ++i) {
    bool settled = true;
    for (auto& id : later)
      settled = settled && status_of(id) == "sent";
    if (settled)
      break;
    std::this_thread::sleep_for(100ms);
  }
  auto seen = delivered();
  for (auto& id : later) {
    BOOST_CHECK_EQUAL(status_of(id), "sent");
    BOOST_CHECK_MESSAGE(seen[id] == 1, id + " delivered " + std::to_string(seen[id]) + " times");
  }
  // The early ones gave up with the provider's own error, and were never delivered. (One of
  // them may be the probe on its way when the provider cut the connections: its outcome is
  // unknown, so it is not sent again either.)
  for (auto& id : early) {
    BOOST_CHECK_EQUAL(status_of(id), "failed");
    BOOST_CHECK_EQUAL(seen.count(id), 0u);
    auto error = json::parse(db.scalar("select error from messages where id = '" + id + "'"));
    BOOST_CHECK_MESSAGE(error["message"].get<std::string>().find("did not take it for 1 min") !=
                                std::string::npos ||
                            error["code"] == "unknown_outcome",
                        error.dump());
  }
  for (auto& [id, n] : seen)
    BOOST_CHECK_MESSAGE(n == 1, id + " delivered " + std::to_string(n) + " times");
  BOOST_CHECK(eventually("whatsapp_numbers where status = 'connected'", 1));
  BOOST_CHECK_EQUAL(count("messages where direction = 'in'"), 3 + 11);
}

BOOST_AUTO_TEST_SUITE_END()
