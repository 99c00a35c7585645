#include "net/router.hpp"

#include <boost/test/unit_test.hpp>

using namespace crm::net;

namespace {

router sample() {
  router r;
  auto noop = [](request_context&, crm::responder_ptr) {
  };
  r.add({{http::verb::get, "/healthz", "none", noop},
         {http::verb::get, "/api/v1/chats/{id}", "chats:read", noop},
         {http::verb::get, "/api/v1/chats/{id}/messages", "messages:read", noop},
         {http::verb::post, "/api/v1/chats/{id}/messages", "messages:create", noop}});
  return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(router)

BOOST_AUTO_TEST_CASE(literal_and_parameter_segments_match) {
  auto r = sample();
  auto m = r.find(http::verb::get, "/api/v1/chats/abc-123/messages");
  BOOST_REQUIRE(m.found);
  BOOST_CHECK_EQUAL(m.found->permission, "messages:read");
  BOOST_CHECK_EQUAL(m.params.at("id"), "abc-123");
  m = r.find(http::verb::post, "/api/v1/chats/x%20y/messages");
  BOOST_REQUIRE(m.found);
  BOOST_CHECK_EQUAL(m.found->permission, "messages:create");
  BOOST_CHECK_EQUAL(m.params.at("id"), "x y");
}

BOOST_AUTO_TEST_CASE(wrong_method_is_told_apart_from_missing_path) {
  auto r = sample();
  auto m = r.find(http::verb::delete_, "/api/v1/chats/1");
  BOOST_CHECK(!m.found);
  BOOST_CHECK(m.path_exists);
  m = r.find(http::verb::get, "/api/v1/nothing");
  BOOST_CHECK(!m.found);
  BOOST_CHECK(!m.path_exists);
  BOOST_CHECK(!r.find(http::verb::get, "/api/v1/chats").found);
}

BOOST_AUTO_TEST_CASE(query_strings_are_decoded) {
  auto q = parse_query("hub.mode=subscribe&hub.verify_token=a%2Bb&hub.challenge=12+34&flag");
  BOOST_CHECK_EQUAL(q.at("hub.mode"), "subscribe");
  BOOST_CHECK_EQUAL(q.at("hub.verify_token"), "a+b");
  BOOST_CHECK_EQUAL(q.at("hub.challenge"), "12 34");
  BOOST_CHECK_EQUAL(q.at("flag"), "");
  BOOST_CHECK_EQUAL(url_decode("100%"), "100%"); // a stray % stays as it is
}

BOOST_AUTO_TEST_SUITE_END()
