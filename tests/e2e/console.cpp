// The browser console is served by the server itself: every file of web/ at its path, with
// an ETag for revalidation and the security headers; nothing outside the folder, and the
// API's own 404s untouched.
#include "tests/support/environment.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/processes.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <iterator>

using namespace crm::test;

namespace {

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

} // namespace

BOOST_AUTO_TEST_SUITE(console)

BOOST_AUTO_TEST_CASE(the_console_files_are_served_and_nothing_else) {
  test_database db;
  server_process server{{{"CRM_DATABASE_URL", db.url()},
                         {"CRM_REDIS_URL", required_env("CRM_TEST_REDIS_URL")},
                         {"CRM_WEB_ROOT", CRM_TEST_WEB_ROOT}}};
  server.start();
  auto port = server.port();

  auto index = http_request(port, "GET", "/");
  BOOST_REQUIRE_EQUAL(index.status, 200);
  BOOST_CHECK_EQUAL(index.body, file_text(std::string{CRM_TEST_WEB_ROOT} + "/index.html"));
  BOOST_CHECK_EQUAL(index.headers["Content-Type"], "text/html; charset=utf-8");
  BOOST_CHECK(index.headers["Content-Security-Policy"].find("default-src 'self'") !=
              std::string::npos);
  BOOST_CHECK_EQUAL(index.headers["X-Frame-Options"], "DENY");
  BOOST_CHECK_EQUAL(index.headers["Cache-Control"], "no-cache");
  auto etag = index.headers["ETag"];
  BOOST_REQUIRE(!etag.empty());
  // Revalidation: the same version answers 304 with no body.
  auto again = http_request(port, "GET", "/index.html", {}, {{"If-None-Match", etag}});
  BOOST_CHECK_EQUAL(again.status, 304);
  BOOST_CHECK(again.body.empty());

  auto app = http_request(port, "GET", "/js/app.js");
  BOOST_CHECK_EQUAL(app.status, 200);
  BOOST_CHECK_EQUAL(app.headers["Content-Type"], "text/javascript; charset=utf-8");
  BOOST_CHECK_EQUAL(app.body, file_text(std::string{CRM_TEST_WEB_ROOT} + "/js/app.js"));
  BOOST_CHECK_EQUAL(http_request(port, "GET", "/css/app.css").headers["Content-Type"],
                    "text/css; charset=utf-8");

  // Outside the folder, encoded or not, and unknown files: the API's JSON 404.
  for (auto target : {"/../CMakeLists.txt", "/%2e%2e/CMakeLists.txt", "/js/../../README.md",
                      "/nothing.js", "/js/", "//etc/passwd"}) {
    auto res = http_request(port, "GET", target);
    BOOST_CHECK_MESSAGE(res.status == 404, target << " -> " << res.status);
    BOOST_CHECK(res.headers["Content-Type"].rfind("application/json", 0) == 0);
  }
  // Only GET reaches the files; the API keeps its own answers.
  BOOST_CHECK_EQUAL(http_request(port, "POST", "/index.html", "{}").status, 404);
  BOOST_CHECK_EQUAL(http_request(port, "GET", "/api/v1/nothing").status, 404);
  BOOST_CHECK_EQUAL(http_request(port, "GET", "/healthz").status, 200);
}

BOOST_AUTO_TEST_CASE(without_a_web_folder_only_the_api_is_served) {
  test_database db;
  server_process server{{{"CRM_DATABASE_URL", db.url()},
                         {"CRM_REDIS_URL", required_env("CRM_TEST_REDIS_URL")},
                         {"CRM_WEB_ROOT", required_env("CRM_TEST_TMP") + "/no-such-folder"}}};
  server.start();
  BOOST_CHECK_EQUAL(http_request(server.port(), "GET", "/").status, 404);
  BOOST_CHECK_EQUAL(http_request(server.port(), "GET", "/healthz").status, 200);
}

BOOST_AUTO_TEST_SUITE_END()
