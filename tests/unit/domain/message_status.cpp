#include "domain/message.hpp"

#include <boost/test/unit_test.hpp>

using crm::status_advances;

BOOST_AUTO_TEST_SUITE(message_status)

BOOST_AUTO_TEST_CASE(statuses_only_move_forward) {
  BOOST_CHECK(status_advances("pending", "sent"));
  BOOST_CHECK(status_advances("sent", "delivered"));
  BOOST_CHECK(status_advances("delivered", "read"));
  BOOST_CHECK(status_advances("sent", "read")); // delivered may be skipped
  BOOST_CHECK(!status_advances("read", "delivered"));
  BOOST_CHECK(!status_advances("delivered", "sent"));
  BOOST_CHECK(!status_advances("read", "read"));
}

BOOST_AUTO_TEST_CASE(failed_replaces_only_pending_or_sent) {
  BOOST_CHECK(status_advances("pending", "failed"));
  BOOST_CHECK(status_advances("sent", "failed"));
  BOOST_CHECK(!status_advances("delivered", "failed"));
  BOOST_CHECK(!status_advances("read", "failed"));
}

BOOST_AUTO_TEST_CASE(unknown_names_never_apply) {
  BOOST_CHECK(!status_advances("sent", "deleted"));
  BOOST_CHECK(!crm::status_rank("deleted"));
}

BOOST_AUTO_TEST_SUITE_END()
