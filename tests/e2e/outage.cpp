// Dependencies going away under a running server. PostgreSQL: 503 while it is down (also
// under steady load), no crash, recovery without a restart, nothing acknowledged lost.
// Redis: the server keeps serving, login throttling falls back to the process with a
// logged warning, and Redis is used again once it is back.
#include "tests/e2e/dispatch_fixture.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/processes.hpp"

#include <boost/test/unit_test.hpp>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/result>

#include <atomic>
#include <chrono>
#include <csignal>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

using namespace crm::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr auto pg_secret = "outage-secret";
constexpr auto pg_number_id = "109876543210777";

/// A PostgreSQL cluster of the test's own, a server on it and one Meta number.
struct own_postgres {
  own_postgres() {
    server.start(); // migrates
    scalar(std::string{"insert into whatsapp_numbers (name, phone_number, provider,"
                       " meta_phone_number_id) values ('L', '+573000000002', 'meta', '"} +
           pg_number_id + "') returning 1");
  }

  long scalar(const std::string& sql) const {
    pqxx::connection conn{pg.url()};
    pqxx::nontransaction txn{conn};
    return txn.exec(sql)[0][0].as<long>();
  }

  /// A signed webhook with one text message; the HTTP status.
  http_result post(const std::string& wamid, const std::string& phone = "573001234567") const {
    auto body = meta_text_webhook(pg_number_id, phone, wamid, "¿Cuánto debo?");
    return http_request(server.port(), "POST", "/api/v1/webhooks/meta", body,
                        {{"X-Hub-Signature-256", meta_signature(pg_secret, body)}});
  }

  postgres_instance pg;
  server_process server{{{"CRM_DATABASE_URL", pg.url()},
                         {"CRM_META_APP_SECRET", pg_secret},
                         {"CRM_DATABASE_POOL_SIZE", "2"},
                         {"CRM_DATABASE_WRITERS", "1"}}};
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(database_outage, own_postgres)

BOOST_AUTO_TEST_CASE(webhooks_get_503_while_postgres_is_down_and_recover_without_restart) {
  BOOST_REQUIRE_EQUAL(post("wamid.OUT.1").status, 200);

  pg.stop();
  auto down = post("wamid.OUT.2");
  BOOST_CHECK_EQUAL(down.status, 503);
  BOOST_CHECK(down.body.find("\"code\"") != std::string::npos);
  BOOST_CHECK_EQUAL(http_request(server.port(), "GET", "/readyz").status, 503);
  BOOST_CHECK_EQUAL(http_request(server.port(), "GET", "/healthz").status, 200);

  pg.start();
  // The provider retries; the first tries may still meet a stale connection.
  int status = 0;
  for (int i = 0; i < 50 && status != 200; ++i) {
    status = post("wamid.OUT.2").status;
    if (status != 200)
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  BOOST_CHECK_EQUAL(status, 200);
  BOOST_CHECK_EQUAL(post("wamid.OUT.3").status, 200);
  BOOST_CHECK_EQUAL(http_request(server.port(), "GET", "/readyz").status, 200);
  BOOST_CHECK_EQUAL(scalar("select count(*) from messages"), 3);
  BOOST_CHECK_EQUAL(server.stop(), 0);
}

BOOST_AUTO_TEST_CASE(a_postgres_restart_under_steady_load_loses_nothing_acknowledged) {
  std::atomic<bool> running{true};
  std::atomic<int> acknowledged{0};
  std::mutex statuses_mutex;
  std::map<int, int> statuses; // every answer seen, by status
  std::vector<std::thread> senders;
  for (int d = 0; d < 4; ++d)
    senders.emplace_back([&, d] {
      auto phone = "57300700000" + std::to_string(d);
      for (int i = 0; running; ++i) {
        auto wamid = "wamid.PGLOAD." + std::to_string(d) + "." + std::to_string(i);
        for (;;) { // as Meta does: again until a 200
          auto status = post(wamid, phone).status;
          {
            std::lock_guard lock{statuses_mutex};
            ++statuses[status];
          }
          if (status == 200)
            break;
          std::this_thread::sleep_for(100ms);
        }
        ++acknowledged;
      }
    });
  std::this_thread::sleep_for(1500ms);
  pg.stop(); // immediate: transactions in flight are cut
  std::this_thread::sleep_for(3s);
  BOOST_CHECK_EQUAL(http_request(server.port(), "GET", "/healthz").status, 200);
  pg.start();
  std::this_thread::sleep_for(3s);
  running = false;
  for (auto& t : senders)
    t.join();

  std::string seen;
  for (auto& [status, n] : statuses)
    seen += " " + std::to_string(status) + ":" + std::to_string(n);
  BOOST_TEST_MESSAGE(acknowledged.load() << " webhooks acknowledged; answers seen:" << seen);
  // Only 200 and 503: no crash (a closed connection), no 500.
  for (auto& [status, n] : statuses)
    BOOST_CHECK_MESSAGE(status == 200 || status == 503,
                        "answered " << status << " " << n << " times");
  BOOST_CHECK_GT(statuses[503], 0);
  BOOST_CHECK_GT(acknowledged.load(), 40);
  BOOST_CHECK_EQUAL(scalar("select count(*) from messages"), acknowledged.load());
  BOOST_CHECK_EQUAL(scalar("select count(distinct provider_id) from messages"),
                    acknowledged.load());
  BOOST_CHECK_EQUAL(::kill(server.pid(), 0), 0); // the same process all along
  auto ready = http_request(server.port(), "GET", "/readyz");
  BOOST_CHECK_MESSAGE(ready.status == 200, ready.body << "\n" << server.output());
  BOOST_CHECK_EQUAL(server.stop(), 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(redis_outage, dispatch_fixture)

BOOST_AUTO_TEST_CASE(the_server_keeps_serving_while_redis_is_down_and_uses_it_again_after) {
  redis_instance redis;
  extra_env = {{"CRM_REDIS_URL", redis.url()}};
  restart();
  constexpr auto password = "Cobranza-2026!";
  BOOST_REQUIRE_EQUAL(call("POST", "/api/v1/users", supervisor, "supervisor",
                           json{{"email", "mateo@demo.crm"},
                                {"fullName", "Mateo"},
                                {"password", password},
                                {"role", "agent"}}
                               .dump())
                          .status,
                      201);
  auto login = [&](const std::string& pass) {
    return http_request(server->port(), "POST", "/api/v1/auth/login",
                        json{{"email", "mateo@demo.crm"}, {"password", pass}}.dump(),
                        {{"Content-Type", "application/json"}})
        .status;
  };
  auto ready = [&] {
    return http_request(server->port(), "GET", "/readyz");
  };
  BOOST_CHECK_EQUAL(login("wrong-pass"), 401);
  BOOST_CHECK_MESSAGE(redis.cli("--scan") != "", "the failure is counted in Redis");
  BOOST_CHECK_EQUAL(ready().status, 200);
  auto pid = server->pid();

  redis.stop();
  auto down = ready();
  BOOST_CHECK_EQUAL(down.status, 503);
  BOOST_CHECK_EQUAL(json::parse(down.body)["redis"], "down");
  BOOST_CHECK_EQUAL(json::parse(down.body)["postgres"], "up");
  BOOST_CHECK_EQUAL(http_request(server->port(), "GET", "/healthz").status, 200);
  // Everything else goes on: logins (throttled per process), webhooks, assignment, replies.
  BOOST_CHECK_EQUAL(login("wrong-pass"), 401);
  BOOST_CHECK_EQUAL(login(password), 200);
  BOOST_REQUIRE_EQUAL(set_status(agent_a, "available").status, 200);
  BOOST_CHECK_EQUAL(debtor_writes("573008880000", "wamid.REDIS.1"), 200);
  BOOST_REQUIRE(eventually("chats where status = 'assigned'", 1));
  auto chat = db.scalar("select id from chats where status = 'assigned'");
  BOOST_CHECK_EQUAL(call("POST", "/api/v1/chats/" + chat + "/messages", agent_a, "agent",
                         json{{"type", "text"}, {"text", "Hola"}}.dump())
                        .status,
                    201);
  BOOST_CHECK(eventually("messages where direction = 'out' and status = 'sent'", 1));
  BOOST_CHECK(server->output().find("Redis unreachable") != std::string::npos);

  redis.start(); // empty: nothing was persisted
  int status = 0;
  for (int i = 0; i < 50 && status != 200; ++i) {
    status = ready().status;
    if (status != 200)
      std::this_thread::sleep_for(100ms);
  }
  BOOST_CHECK_EQUAL(status, 200);
  BOOST_CHECK_EQUAL(redis.cli("--scan"), "");
  BOOST_CHECK_EQUAL(login("wrong-pass"), 401);
  BOOST_CHECK_MESSAGE(redis.cli("--scan") != "", "failures are counted in Redis again");
  BOOST_CHECK_EQUAL(server->pid(), pid);
}

BOOST_AUTO_TEST_SUITE_END()
