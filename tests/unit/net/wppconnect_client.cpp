#include "net/providers/wppconnect_client.hpp"

#include <boost/test/unit_test.hpp>

using namespace crm;
using namespace crm::net;
using nlohmann::json;

BOOST_AUTO_TEST_SUITE(wppconnect_client)

outbound_job job(const std::string& type, const std::string& details = {}) {
  outbound_job j;
  j.id = message_id{"m1"};
  j.to = "+573001234567";
  j.type = type;
  j.text = "Hola";
  j.details = details;
  return j;
}

BOOST_AUTO_TEST_CASE(text_goes_to_send_message_without_the_plus) {
  auto r = wppconnect_body(job("text"));
  BOOST_CHECK(r.unsupported.empty());
  BOOST_CHECK_EQUAL(r.route, "send-message");
  BOOST_CHECK_EQUAL(r.body,
                    (json{{"phone", "573001234567"}, {"message", "Hola"}, {"isGroup", false}}));
}

BOOST_AUTO_TEST_CASE(files_by_link_go_to_send_image_and_send_file) {
  auto image = wppconnect_body(job("image", R"({"link":"https://x.co/a.png","caption":"c"})"));
  BOOST_CHECK_EQUAL(image.route, "send-image");
  BOOST_CHECK_EQUAL(image.body["path"], "https://x.co/a.png");
  BOOST_CHECK_EQUAL(image.body["caption"], "c");
  BOOST_CHECK_EQUAL(image.body["filename"], "image");
  auto doc =
      wppconnect_body(job("document", R"({"link":"https://x.co/a.pdf","filename":"a.pdf"})"));
  BOOST_CHECK_EQUAL(doc.route, "send-file");
  BOOST_CHECK_EQUAL(doc.body["filename"], "a.pdf");
}

BOOST_AUTO_TEST_CASE(what_whatsapp_web_cannot_carry_is_refused_with_a_reason) {
  BOOST_CHECK(!wppconnect_body(job("image", R"({"id":"1045"})")).unsupported.empty());
  BOOST_CHECK(!wppconnect_body(job("template", R"({"name":"t"})")).unsupported.empty());
  BOOST_CHECK(!wppconnect_body(job("interactive", "{}")).unsupported.empty());
}

BOOST_AUTO_TEST_CASE(a_media_url_splits_into_origin_and_target) {
  auto [origin, target] =
      base_url::split("https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1&ext=2");
  BOOST_CHECK(origin.tls);
  BOOST_CHECK_EQUAL(origin.host, "lookaside.fbsbx.com");
  BOOST_CHECK_EQUAL(origin.port, "443");
  BOOST_CHECK_EQUAL(target, "/whatsapp_business/attachments/?mid=1&ext=2");
  auto bare = base_url::split("http://127.0.0.1:8081?x=1");
  BOOST_CHECK_EQUAL(bare.first.port, "8081");
  BOOST_CHECK_EQUAL(bare.second, "/?x=1");
  BOOST_CHECK_THROW(base_url::split("ftp://x/y"), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
