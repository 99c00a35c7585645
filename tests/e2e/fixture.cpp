#include "tests/e2e/fixture.hpp"

#include <boost/test/unit_test.hpp>

namespace crm::test {

server_fixture::server_fixture() {
  start_server(); // applies the migrations
  db.exec("insert into campaigns (name) values ('E2E')");
  db.exec(std::string{"insert into whatsapp_numbers (name, phone_number, provider, campaign_id,"
                      " meta_phone_number_id) select 'E2E line', '+573000000001', 'meta', id, '"} +
          phone_number_id + "' from campaigns where name = 'E2E'");
  number_id = db.scalar("select id from whatsapp_numbers");
  db.exec("insert into debtors (full_name, document_number, debt_amount, days_overdue)"
          " values ('María Fernanda López', '1010101010', 1250000, 45)");
  debtor_id = db.scalar("select id from debtors");
  db.exec("insert into debtor_phones (debtor_id, phone, is_primary) values ('" + debtor_id +
          "', '+" + debtor_phone + "', true)");
}

server_fixture::~server_fixture() {
  server.reset(); // stop before the database is dropped
}

std::map<std::string, std::string> server_fixture::settings() const {
  return {
      {"CRM_DATABASE_URL", db.url()},      {"CRM_REDIS_URL", required_env("CRM_TEST_REDIS_URL")},
      {"CRM_META_APP_SECRET", app_secret}, {"CRM_META_VERIFY_TOKEN", verify_token},
      {"CRM_DATABASE_POOL_SIZE", "3"},     {"CRM_DATABASE_WRITERS", "1"}};
}

void server_fixture::start_server() {
  server.reset();
  server = std::make_unique<server_process>(settings());
  server->start();
}

http_result server_fixture::post_signed(const std::string& body) const {
  return http_request(server->port(), "POST", "/api/v1/webhooks/meta", body,
                      {{"Content-Type", "application/json"},
                       {"X-Hub-Signature-256", meta_signature(app_secret, body)}});
}

long server_fixture::count(const std::string& from_where) const {
  return std::stol(db.scalar("select count(*) from " + from_where));
}

} // namespace crm::test
