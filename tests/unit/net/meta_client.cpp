#include "net/providers/meta_client.hpp"

#include <boost/test/unit_test.hpp>

using namespace crm;
using namespace crm::net;

BOOST_AUTO_TEST_SUITE(meta_client)

provider_reply answer(int status, const std::string& body, bool written = true) {
  http_outcome out;
  out.status = status;
  out.body = body;
  out.written = written;
  return classify_meta_answer(message_id{"m1"}, out);
}

std::string error(long code) {
  return R"({"error":{"message":"nope","type":"OAuthException","code":)" + std::to_string(code) +
         R"(,"error_data":{"details":"why"}}})";
}

BOOST_AUTO_TEST_CASE(a_taken_message_gives_its_wamid) {
  auto r = answer(200, R"({"messaging_product":"whatsapp","contacts":[{"input":"57300",)"
                       R"("wa_id":"57300"}],"messages":[{"id":"wamid.HBg"}]})");
  BOOST_CHECK_EQUAL(r.provider_id, "wamid.HBg");
  BOOST_CHECK(!r.retriable);
}

BOOST_AUTO_TEST_CASE(throttling_and_server_errors_are_retried) {
  BOOST_CHECK(answer(429, error(130429)).retriable);
  BOOST_CHECK(answer(500, error(2)).retriable);
  BOOST_CHECK(answer(503, "<html>").retriable);
  BOOST_CHECK(answer(400, error(131056)).retriable); // pair rate limit: later
  BOOST_CHECK(answer(0, "", false).retriable);       // never left
}

BOOST_AUTO_TEST_CASE(permanent_errors_keep_metas_code_and_text) {
  auto r = answer(400, error(131047));
  BOOST_CHECK(!r.retriable);
  BOOST_CHECK_EQUAL(r.error_code, "131047");
  BOOST_CHECK_EQUAL(r.error_text, "nope: why");
  BOOST_CHECK(!answer(401, error(190)).retriable);
}

BOOST_AUTO_TEST_CASE(a_lost_answer_is_not_sent_again_blindly) {
  auto r = answer(0, "", true);
  BOOST_CHECK(!r.retriable);
  BOOST_CHECK_EQUAL(r.error_code, "unknown_outcome");
}

BOOST_AUTO_TEST_CASE(bodies_follow_the_graph_api) {
  outbound_job text{
      message_id{"m1"}, chat_id{"c1"}, number_id{"n1"}, "+573001112233", "text", "Hola", "", 0};
  auto b = meta_message_body(text);
  BOOST_CHECK_EQUAL(b["to"], "573001112233");
  BOOST_CHECK_EQUAL(b["text"]["body"], "Hola");
  BOOST_CHECK_EQUAL(b["recipient_type"], "individual");
  auto tpl = text;
  tpl.type = "template";
  tpl.details = R"({"name":"cobro","language":"es","components":[]})";
  b = meta_message_body(tpl);
  BOOST_CHECK_EQUAL(b["template"]["name"], "cobro");
  BOOST_CHECK_EQUAL(b["template"]["language"]["code"], "es");
  BOOST_CHECK(!b.contains("text"));
}

BOOST_AUTO_TEST_CASE(interactive_and_media_go_as_stored) {
  outbound_job job{message_id{"m1"},
                   chat_id{"c1"},
                   number_id{"n1"},
                   "+573001112233",
                   "interactive",
                   "¿Cómo desea pagar?",
                   R"({"type":"button","body":{"text":"¿Cómo desea pagar?"},)"
                   R"("action":{"buttons":[{"type":"reply","reply":{"id":"a","title":"Hoy"}}]}})",
                   0};
  auto b = meta_message_body(job);
  BOOST_CHECK_EQUAL(b["type"], "interactive");
  BOOST_CHECK_EQUAL(b["interactive"]["action"]["buttons"][0]["reply"]["title"], "Hoy");
  job.type = "document";
  job.details = R"({"link":"https://example.com/acuerdo.pdf","filename":"acuerdo.pdf"})";
  b = meta_message_body(job);
  BOOST_CHECK_EQUAL(b["type"], "document");
  BOOST_CHECK_EQUAL(b["document"]["filename"], "acuerdo.pdf");
}

BOOST_AUTO_TEST_SUITE_END()
