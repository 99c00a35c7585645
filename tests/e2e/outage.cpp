// PostgreSQL going away under a running server: 503 while it is down, no crash, and
// recovery without a restart once it is back.
#include "tests/support/http_client.hpp"
#include "tests/support/processes.hpp"

#include <boost/test/unit_test.hpp>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/result>

#include <chrono>
#include <thread>

using namespace crm::test;

namespace {

constexpr auto secret = "outage-secret";
constexpr auto phone_number_id = "109876543210777";

long count_messages(const postgres_instance& pg) {
  pqxx::connection conn{pg.url()};
  pqxx::nontransaction txn{conn};
  return txn.exec("select count(*) from messages")[0][0].as<long>();
}

} // namespace

BOOST_AUTO_TEST_SUITE(database_outage)

BOOST_AUTO_TEST_CASE(webhooks_get_503_while_postgres_is_down_and_recover_without_restart) {
  postgres_instance pg;
  server_process server{{{"CRM_DATABASE_URL", pg.url()},
                         {"CRM_META_APP_SECRET", secret},
                         {"CRM_DATABASE_POOL_SIZE", "2"},
                         {"CRM_DATABASE_WRITERS", "1"}}};
  server.start();
  {
    pqxx::connection conn{pg.url()};
    pqxx::nontransaction txn{conn};
    txn.exec(std::string{"insert into whatsapp_numbers (name, phone_number, provider,"
                         " meta_phone_number_id) values ('L', '+573000000002', 'meta', '"} +
             phone_number_id + "')");
  }
  auto post = [&](const std::string& wamid) {
    auto body = meta_text_webhook(phone_number_id, "573001234567", wamid, "hola");
    return http_request(server.port(), "POST", "/api/v1/webhooks/meta", body,
                        {{"X-Hub-Signature-256", meta_signature(secret, body)}});
  };
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
  BOOST_CHECK_EQUAL(count_messages(pg), 3);
  BOOST_CHECK_EQUAL(server.stop(), 0);
}

BOOST_AUTO_TEST_SUITE_END()
