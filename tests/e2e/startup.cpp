// What an operator sees when starting the server wrongly.
#include "tests/support/environment.hpp"
#include "tests/support/processes.hpp"

#include <boost/test/unit_test.hpp>

#include <tuple>

using namespace crm::test;

BOOST_AUTO_TEST_SUITE(startup)

BOOST_AUTO_TEST_CASE(a_bad_setting_stops_the_start_naming_the_key) {
  auto [status, output] = run_server_once({{"CRM_HTTP_PORT", "eighty"}});
  BOOST_CHECK_EQUAL(status, 2);
  BOOST_CHECK_MESSAGE(output.find("CRM_HTTP_PORT") != std::string::npos, output);
}

BOOST_AUTO_TEST_CASE(an_unknown_key_in_the_config_file_is_named) {
  auto path = required_env("CRM_TEST_TMP") + "/bad-config.json";
  shell("printf '{\"http\": {\"prot\": 1}}' > " + path);
  auto [status, output] = run_server_once({{"CRM_CONFIG", path}});
  BOOST_CHECK_EQUAL(status, 2);
  BOOST_CHECK_MESSAGE(output.find("http.prot") != std::string::npos, output);
}

BOOST_AUTO_TEST_CASE(production_mode_refuses_the_default_jwt_secret) {
  auto [status, output] =
      run_server_once({{"CRM_MODE", "production"}, {"CRM_META_APP_SECRET", "x"}});
  BOOST_CHECK_EQUAL(status, 2);
  BOOST_CHECK_MESSAGE(output.find("jwt.secret") != std::string::npos, output);
}

BOOST_AUTO_TEST_CASE(an_unknown_time_zone_is_refused) {
  auto [status, output] = run_server_once({{"CRM_TIMEZONE", "America/Nowhere"}});
  BOOST_CHECK_EQUAL(status, 2);
  BOOST_CHECK_MESSAGE(output.find("CRM_TIMEZONE") != std::string::npos, output);
  std::tie(status, output) = run_server_once({{"CRM_TIMEZONE", "../../etc/passwd"}});
  BOOST_CHECK_EQUAL(status, 2);
}

BOOST_AUTO_TEST_SUITE_END()
