#include "domain/csv.hpp"

#include <boost/test/unit_test.hpp>

using namespace crm;

BOOST_AUTO_TEST_SUITE(csv_parsing)

BOOST_AUTO_TEST_CASE(quoted_fields_bom_crlf_and_blank_lines) {
  std::string text = "\xEF\xBB\xBF"
                     "fullName,documentNumber,tags\r\n"
                     "\"Pérez, Ana\",123,\"vip|\"\"mora\"\"\"\r\n"
                     "\r\n"
                     "\"Línea\ndos\",456,\r\n"
                     "Juan,789,x";
  std::size_t error = 99;
  auto rows = csv::parse(text, &error);
  BOOST_CHECK_EQUAL(error, 0u);
  BOOST_REQUIRE_EQUAL(rows.size(), 4u);
  BOOST_CHECK_EQUAL(rows[0].fields[0], "fullName"); // BOM gone
  BOOST_CHECK_EQUAL(rows[1].fields[0], "Pérez, Ana");
  BOOST_CHECK_EQUAL(rows[1].fields[2], "vip|\"mora\"");
  BOOST_CHECK_EQUAL(rows[1].line, 2u);
  BOOST_CHECK_EQUAL(rows[2].fields[0], "Línea\ndos");
  BOOST_CHECK_EQUAL(rows[2].fields.size(), 3u);
  BOOST_CHECK_EQUAL(rows[2].fields[2], "");
  BOOST_CHECK_EQUAL(rows[2].line, 4u);
  BOOST_CHECK_EQUAL(rows[3].line, 6u);
  BOOST_CHECK_EQUAL(rows[3].fields[2], "x");
}

BOOST_AUTO_TEST_CASE(an_unclosed_quote_names_its_line) {
  std::size_t error = 0;
  auto rows = csv::parse("a,b\n1,2\n\"3,4\n", &error);
  BOOST_CHECK(rows.empty());
  BOOST_CHECK_EQUAL(error, 3u);
}

BOOST_AUTO_TEST_CASE(exported_fields_round_trip_and_formulas_are_defused) {
  BOOST_CHECK_EQUAL(csv::field("plain"), "plain");
  BOOST_CHECK_EQUAL(csv::field("a,b"), "\"a,b\"");
  BOOST_CHECK_EQUAL(csv::field("say \"hi\""), "\"say \"\"hi\"\"\"");
  BOOST_CHECK_EQUAL(csv::field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
  auto back = csv::parse(csv::field("a,\"b\"\nc") + "," + csv::field("d") + "\n");
  BOOST_REQUIRE_EQUAL(back.size(), 1u);
  BOOST_CHECK_EQUAL(back[0].fields[0], "a,\"b\"\nc");
}

BOOST_AUTO_TEST_SUITE_END()
