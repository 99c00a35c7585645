#include "tests/support/environment.hpp"

#include <boost/test/unit_test.hpp>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/result>

#include <atomic>
#include <cstdlib>
#include <random>
#include <unistd.h>

namespace crm::test {

std::string required_env(const char* name) {
  auto v = std::getenv(name);
  BOOST_TEST_REQUIRE(v != nullptr, name << " is not set: run the suite through ./scripts/test");
  return v;
}

std::string with_database(const std::string& url, const std::string& db) {
  auto scheme = url.find("://");
  auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  auto query = url.find('?');
  auto base = url.substr(0, slash);
  return base + "/" + db + (query == std::string::npos ? "" : url.substr(query));
}

test_database::test_database() : admin_url_{required_env("CRM_TEST_DATABASE_URL")} {
  static std::atomic<int> counter{0};
  std::random_device rd;
  name_ = "crm_t_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
          std::to_string(rd() % 100000);
  pqxx::connection admin{admin_url_};
  pqxx::nontransaction txn{admin};
  txn.exec("create database " + name_);
  url_ = with_database(admin_url_, name_);
}

test_database::~test_database() {
  try {
    pqxx::connection admin{admin_url_};
    pqxx::nontransaction txn{admin};
    txn.exec("drop database if exists " + name_ + " with (force)");
  } catch (const std::exception& e) {
    BOOST_TEST_MESSAGE("could not drop " << name_ << ": " << e.what());
  }
}

std::string test_database::scalar(const std::string& sql) const {
  pqxx::connection conn{url_};
  pqxx::nontransaction txn{conn};
  auto r = txn.exec(sql);
  if (r.empty() || r[0][0].is_null())
    return {};
  return r[0][0].as<std::string>();
}

void test_database::exec(const std::string& sql) const {
  pqxx::connection conn{url_};
  pqxx::nontransaction txn{conn};
  txn.exec(sql);
}

} // namespace crm::test
