#pragma once

#include "tests/support/environment.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/processes.hpp"

#include <memory>
#include <string>

namespace crm::test {

/// A real crm-server on a fresh database, with one Meta number and one debtor.
struct server_fixture {
  static constexpr const char* app_secret = "e2e-app-secret";
  static constexpr const char* verify_token = "e2e-verify-token";
  static constexpr const char* phone_number_id = "109876543210001";
  static constexpr const char* debtor_phone = "573001112233";

  server_fixture();
  ~server_fixture();

  /// The settings the server runs with.
  std::map<std::string, std::string> settings() const;

  /// Starts (or restarts) the server on the same database.
  void start_server();

  /// Posts a body signed with the app secret.
  http_result post_signed(const std::string& body) const;

  /// Counts rows: `select count(*) from ...`.
  long count(const std::string& from_where) const;

  test_database db;
  std::unique_ptr<server_process> server;
  std::string number_id;
  std::string debtor_id;
};

} // namespace crm::test
