#include "domain/proxy_trust.hpp"

#include <boost/test/unit_test.hpp>

using crm::proxy_trust;

BOOST_AUTO_TEST_SUITE(proxy_trust_suite)

BOOST_AUTO_TEST_CASE(addresses_and_ranges_parse) {
  std::string why;
  auto t = proxy_trust::parse(" 127.0.0.1, ::1 ,10.0.0.0/8, fd00::/8", &why);
  BOOST_REQUIRE_MESSAGE(t, why);
  BOOST_CHECK(t->trusts("127.0.0.1"));
  BOOST_CHECK(t->trusts("::ffff:127.0.0.1")); // the IPv4-mapped form is the same address
  BOOST_CHECK(t->trusts("::1"));
  BOOST_CHECK(t->trusts("10.255.3.4"));
  BOOST_CHECK(t->trusts("fd12:3456::1"));
  BOOST_CHECK(!t->trusts("127.0.0.2"));
  BOOST_CHECK(!t->trusts("11.0.0.1"));
  BOOST_CHECK(!t->trusts("fe80::1"));
  BOOST_CHECK(!t->trusts("not an address"));
  BOOST_CHECK(proxy_trust::parse("")->empty());
  BOOST_CHECK(proxy_trust::parse("192.168.1.0/23")->trusts("192.168.0.200"));
  BOOST_CHECK(!proxy_trust::parse("192.168.1.0/23")->trusts("192.168.2.1"));
}

BOOST_AUTO_TEST_CASE(bad_entries_are_refused_with_a_reason) {
  for (auto text : {"localhost", "10.0.0.0/33", "::1/129", "1.2.3.4/", "1.2.3.4/x", "1.2.3"}) {
    std::string why;
    BOOST_CHECK_MESSAGE(!proxy_trust::parse(text, &why), text);
    BOOST_CHECK(!why.empty());
  }
}

BOOST_AUTO_TEST_CASE(only_a_trusted_peer_is_believed) {
  auto t = *proxy_trust::parse("127.0.0.1");
  // Through the proxy: the address it forwards.
  BOOST_CHECK_EQUAL(t.client_of("127.0.0.1", "203.0.113.7", ""), "203.0.113.7");
  BOOST_CHECK_EQUAL(t.client_of("127.0.0.1", "", "203.0.113.8"), "203.0.113.8");
  // A client appending to X-Forwarded-For: the rightmost untrusted entry is the real one.
  BOOST_CHECK_EQUAL(t.client_of("127.0.0.1", "6.6.6.6, 203.0.113.7", ""), "203.0.113.7");
  // Straight to the server: the headers are the client's own words and are ignored.
  BOOST_CHECK_EQUAL(t.client_of("198.51.100.4", "6.6.6.6", "6.6.6.7"), "198.51.100.4");
  // Nothing forwarded, or garbage: the peer.
  BOOST_CHECK_EQUAL(t.client_of("127.0.0.1", "", ""), "127.0.0.1");
  BOOST_CHECK_EQUAL(t.client_of("127.0.0.1", "unknown", "x"), "127.0.0.1");
  // No proxy configured: nobody is believed.
  BOOST_CHECK_EQUAL(proxy_trust{}.client_of("127.0.0.1", "6.6.6.6", "6.6.6.7"), "127.0.0.1");
}

BOOST_AUTO_TEST_CASE(chains_of_trusted_proxies_are_walked) {
  auto t = *proxy_trust::parse("127.0.0.1, 10.0.0.0/8");
  BOOST_CHECK_EQUAL(t.client_of("127.0.0.1", "6.6.6.6, 203.0.113.9, 10.1.1.1", ""), "203.0.113.9");
  BOOST_CHECK_EQUAL(t.client_of("127.0.0.1", "10.1.1.1", "203.0.113.10"), "203.0.113.10");
}

BOOST_AUTO_TEST_SUITE_END()
