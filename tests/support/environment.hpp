#pragma once

#include <string>

namespace crm::test {

/// An environment variable scripts/test sets; fails the test with a clear message if absent.
std::string required_env(const char* name);

/// A fresh, empty database on the test cluster (CRM_TEST_DATABASE_URL), dropped at the end.
class test_database {
 public:
  test_database();
  ~test_database();
  test_database(const test_database&) = delete;
  test_database& operator=(const test_database&) = delete;

  /// libpq URL of the new database.
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

  /// Runs SQL and returns the first column of the first row ("" when no row / NULL).
  std::string scalar(const std::string& sql) const;

  /// Runs SQL, ignoring results.
  void exec(const std::string& sql) const;

 private:
  std::string admin_url_;
  std::string name_;
  std::string url_;
};

/// Replaces the database name (the path) of a libpq URL.
std::string with_database(const std::string& url, const std::string& db);

} // namespace crm::test
