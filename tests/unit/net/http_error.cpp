#include "net/http_error.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/sec.hpp>
#include <nlohmann/json.hpp>

using namespace crm;

BOOST_AUTO_TEST_SUITE(http_error)

BOOST_AUTO_TEST_CASE(codes_map_to_the_documented_statuses) {
  BOOST_CHECK_EQUAL(net::status_of(ec::invalid_input), 400u);
  BOOST_CHECK_EQUAL(net::status_of(ec::unauthenticated), 401u);
  BOOST_CHECK_EQUAL(net::status_of(ec::forbidden), 403u);
  BOOST_CHECK_EQUAL(net::status_of(ec::not_found), 404u);
  BOOST_CHECK_EQUAL(net::status_of(ec::conflict), 409u);
  BOOST_CHECK_EQUAL(net::status_of(ec::outside_contact_window), 422u);
  BOOST_CHECK_EQUAL(net::status_of(ec::storage_unavailable), 503u);
}

BOOST_AUTO_TEST_CASE(body_has_the_error_shape) {
  auto f = net::to_http(make_error(ec::invalid_input, "entry is required"));
  BOOST_CHECK_EQUAL(f.status, 400u);
  auto j = nlohmann::json::parse(f.body);
  BOOST_CHECK_EQUAL(j["error"]["code"], "invalid_input");
  BOOST_CHECK_EQUAL(j["error"]["message"], "entry is required");
}

BOOST_AUTO_TEST_CASE(database_outage_and_timeouts_ask_to_retry) {
  auto f = net::to_http(make_error(ec::storage_unavailable, "connection refused on 5432"));
  BOOST_CHECK_EQUAL(f.status, 503u);
  BOOST_CHECK(f.body.find("5432") == std::string::npos); // internals stay in the log
  f = net::to_http(caf::make_error(caf::sec::request_timeout));
  BOOST_CHECK_EQUAL(f.status, 503u);
}

BOOST_AUTO_TEST_CASE(internal_errors_hide_their_text) {
  auto f = net::to_http(make_error(ec::internal, "pqxx said something private"));
  BOOST_CHECK_EQUAL(f.status, 500u);
  BOOST_CHECK(f.body.find("private") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
