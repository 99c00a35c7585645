// The report formulas outside SQL, on hand-built figures with known answers.
#include "domain/report_math.hpp"

#include <boost/test/unit_test.hpp>

using namespace crm::report_math;

BOOST_AUTO_TEST_SUITE(report_math)

BOOST_AUTO_TEST_CASE(averages_round_to_tenths_and_are_none_without_items) {
  BOOST_CHECK_EQUAL(*average(540, 2), 270.0); // TMR over two answered handlings
  BOOST_CHECK_EQUAL(*average(100, 3), 33.3);  // 33.333… to tenths
  BOOST_CHECK_EQUAL(*average(200, 3), 66.7);
  BOOST_CHECK(!average(0, 0).has_value()); // nothing answered: no TMR, not 0
  BOOST_CHECK(!average(125, 0).has_value());
}

BOOST_AUTO_TEST_CASE(sph_is_messages_per_hour_logged_in) {
  BOOST_CHECK_EQUAL(*per_hour(120, 8 * 3600), 15.0);
  BOOST_CHECK_EQUAL(*per_hour(10, 5400), 6.67); // 10 in 1.5 h
  BOOST_CHECK_EQUAL(*per_hour(0, 3600), 0.0);   // logged in, sent nothing: 0, ranked last
  BOOST_CHECK(!per_hour(35, 0).has_value());    // sent without time logged in: undefined
  BOOST_CHECK_EQUAL(hours(5400), 1.5);
  BOOST_CHECK_EQUAL(hours(100), 0.03);
}

BOOST_AUTO_TEST_CASE(effectiveness_counts_promise_and_paid_closes_over_handled) {
  BOOST_CHECK_EQUAL(*effectiveness(1, 0, 2), 0.5);
  BOOST_CHECK_EQUAL(*effectiveness(1, 1, 3), 0.667);
  // A transfer makes two handlings of one chat: only the closing one can win it.
  BOOST_CHECK_EQUAL(*effectiveness(0, 0, 1), 0.0);
  BOOST_CHECK(!effectiveness(0, 0, 0).has_value());
}

BOOST_AUTO_TEST_CASE(ranking_orders_by_value_and_puts_the_unvalued_last) {
  std::vector<rank_entry> entries = {
      {"ana", 120.0}, {"beto", std::nullopt}, {"caro", 45.5}, {"dani", 120.0}, {"eva", 300.0}};
  auto lower = rank(entries, true); // TMR: lower is better
  std::vector<std::string> order;
  for (auto& e : lower)
    order.push_back(e.agent_id + ":" + std::to_string(e.rank));
  BOOST_CHECK_EQUAL(order.size(), 5u);
  BOOST_CHECK_EQUAL(order[0], "caro:1");
  BOOST_CHECK_EQUAL(order[1], "ana:2"); // ties keep the report's order
  BOOST_CHECK_EQUAL(order[2], "dani:3");
  BOOST_CHECK_EQUAL(order[3], "eva:4");
  BOOST_CHECK_EQUAL(order[4], "beto:0");

  auto higher = rank(entries, false); // amount recovered: higher is better
  BOOST_CHECK_EQUAL(higher[0].agent_id, "eva");
  BOOST_CHECK_EQUAL(higher[1].agent_id, "ana");
  BOOST_CHECK_EQUAL(higher[3].agent_id, "caro");
  BOOST_CHECK_EQUAL(higher[4].rank, 0);
  BOOST_CHECK(rank({}, true).empty());
}

BOOST_AUTO_TEST_SUITE_END()
