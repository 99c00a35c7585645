#include "domain/priority.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

namespace bdata = boost::unit_test::data;

BOOST_AUTO_TEST_SUITE(priority)

// Boundaries of PRODUCT.md's rule: > 90 URGENTE, > 30 ALTA, > 15 MEDIA, else BAJA.
BOOST_DATA_TEST_CASE(days_overdue_map_to_the_rule,
                     bdata::make({0, 15, 16, 30, 31, 90, 91, 400, -3}) ^
                         bdata::make({"BAJA", "BAJA", "MEDIA", "MEDIA", "ALTA", "ALTA", "URGENTE",
                                      "URGENTE", "BAJA"}),
                     days, expected) {
  BOOST_CHECK_EQUAL(crm::to_string(crm::priority_for(days)), std::string{expected});
}

BOOST_AUTO_TEST_CASE(no_debtor_is_baja) {
  BOOST_CHECK(crm::priority_for(std::nullopt) == crm::priority::baja);
}

BOOST_AUTO_TEST_CASE(names_round_trip) {
  for (auto p :
       {crm::priority::urgente, crm::priority::alta, crm::priority::media, crm::priority::baja})
    BOOST_CHECK(crm::parse_priority(crm::to_string(p)) == p);
  BOOST_CHECK(!crm::parse_priority("urgente"));
}

BOOST_AUTO_TEST_SUITE_END()
