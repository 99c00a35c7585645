#include "net/wppconnect_webhook.hpp"

#include <boost/test/unit_test.hpp>

using namespace crm::net;

BOOST_AUTO_TEST_SUITE(wppconnect_webhook)

BOOST_AUTO_TEST_CASE(onmessage_becomes_an_inbound_message) {
  auto e = parse_wppconnect_webhook(
      R"({"event":"onmessage","session":"s","id":"false_573001234567@c.us_3EB0X",)"
      R"("from":"573001234567@c.us","body":"Hola","type":"chat","timestamp":1764230000,)"
      R"("isGroupMsg":false,"sender":{"pushname":"Ana"}})");
  BOOST_REQUIRE(e);
  BOOST_REQUIRE_EQUAL(e->messages.size(), 1u);
  auto& m = e->messages[0];
  BOOST_CHECK_EQUAL(m.provider_id, "false_573001234567@c.us_3EB0X");
  BOOST_CHECK_EQUAL(m.from, "+573001234567");
  BOOST_CHECK_EQUAL(m.type, "text");
  BOOST_CHECK_EQUAL(m.text, "Hola");
  BOOST_CHECK_EQUAL(m.contact_name, "Ana");
  BOOST_CHECK_EQUAL(m.timestamp, 1764230000);
}

BOOST_AUTO_TEST_CASE(groups_echoes_and_other_events_carry_nothing) {
  auto group = parse_wppconnect_webhook(
      R"({"event":"onmessage","id":"x","from":"1203@g.us","isGroupMsg":true,"body":"hi"})");
  BOOST_REQUIRE(group);
  BOOST_CHECK(group->messages.empty());
  auto presence = parse_wppconnect_webhook(R"({"event":"onpresencechanged","session":"s"})");
  BOOST_REQUIRE(presence);
  BOOST_CHECK(presence->messages.empty() && presence->statuses.empty());
}

BOOST_AUTO_TEST_CASE(acks_map_to_our_statuses) {
  BOOST_CHECK_EQUAL(wppconnect_ack_status(1), "sent");
  BOOST_CHECK_EQUAL(wppconnect_ack_status(2), "delivered");
  BOOST_CHECK_EQUAL(wppconnect_ack_status(3), "read");
  BOOST_CHECK_EQUAL(wppconnect_ack_status(4), "played");
  BOOST_CHECK_EQUAL(wppconnect_ack_status(-1), "failed");
  BOOST_CHECK_EQUAL(wppconnect_ack_status(0), "");
  auto e = parse_wppconnect_webhook(
      R"({"event":"onack","id":{"fromMe":true,"_serialized":"true_57300@c.us_ABC"},"ack":-2})");
  BOOST_REQUIRE(e);
  BOOST_REQUIRE_EQUAL(e->statuses.size(), 1u);
  BOOST_CHECK_EQUAL(e->statuses[0].provider_id, "true_57300@c.us_ABC");
  BOOST_CHECK_EQUAL(e->statuses[0].status, "failed");
  BOOST_CHECK(!e->statuses[0].errors.empty());
}

BOOST_AUTO_TEST_CASE(ids_are_read_in_every_shape_wppconnect_uses) {
  using nlohmann::json;
  BOOST_CHECK_EQUAL(wppconnect_id(json("true_57@c.us_A")), "true_57@c.us_A");
  BOOST_CHECK_EQUAL(wppconnect_id(json{{"fromMe", true}, {"id", "A"}, {"_serialized", "S"}}), "S");
  BOOST_CHECK_EQUAL(wppconnect_id(json{{"id", "true_57@c.us_B"}, {"ack", 0}}), "true_57@c.us_B");
  BOOST_CHECK_EQUAL(wppconnect_id(json{{"id", {{"_serialized", "C"}}}}), "C");
  BOOST_CHECK_EQUAL(wppconnect_id(json(42)), "");
}

BOOST_AUTO_TEST_CASE(malformed_events_are_refused) {
  BOOST_CHECK(!parse_wppconnect_webhook("not json"));
  BOOST_CHECK(!parse_wppconnect_webhook(R"({"session":"s"})"));
  BOOST_CHECK(!parse_wppconnect_webhook(R"({"event":"onmessage","body":"no id"})"));
  BOOST_CHECK(!parse_wppconnect_webhook(R"({"event":"onack","ack":3})"));
}

BOOST_AUTO_TEST_SUITE_END()
