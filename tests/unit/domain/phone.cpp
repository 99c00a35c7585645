#include "domain/phone.hpp"

#include <boost/test/unit_test.hpp>

using crm::normalize_phone;

BOOST_AUTO_TEST_SUITE(phone)

BOOST_AUTO_TEST_CASE(provider_forms_become_e164) {
  BOOST_CHECK_EQUAL(*normalize_phone("573001234567"), "+573001234567");
  BOOST_CHECK_EQUAL(*normalize_phone("+57 300 123 4567"), "+573001234567");
  BOOST_CHECK_EQUAL(*normalize_phone("573001234567@c.us"), "+573001234567");
  BOOST_CHECK_EQUAL(*normalize_phone("+57 (300) 123-4567"), "+573001234567");
}

BOOST_AUTO_TEST_CASE(impossible_numbers_are_refused) {
  BOOST_CHECK(!normalize_phone(""));
  BOOST_CHECK(!normalize_phone("1234567"));          // too short
  BOOST_CHECK(!normalize_phone("1234567890123456")); // too long
  BOOST_CHECK(!normalize_phone("57300abc4567"));     // letters
  BOOST_CHECK(!normalize_phone("0573001234567"));    // trunk prefix, not E.164
  BOOST_CHECK(!normalize_phone("57+3001234567"));    // '+' inside
}

BOOST_AUTO_TEST_SUITE_END()
