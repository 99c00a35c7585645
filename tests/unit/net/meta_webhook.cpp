#include "net/meta_webhook.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

using crm::net::parse_meta_webhook;
using nlohmann::json;

namespace {

// The envelope Meta wraps around every message: one entry, one "messages" change,
// our number's metadata and the sender's contact card.
std::string message_payload(std::string_view message) {
  return R"({"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"573105550000","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"María Fernández"},"wa_id":"573001234567"}],"messages":[)" +
         std::string{message} + R"(]},"field":"messages"}]}]})";
}

std::string status_payload(std::string_view status) {
  return R"({"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"573105550000","phone_number_id":"106540352242922"},"statuses":[)" +
         std::string{status} + R"(]},"field":"messages"}]}]})";
}

crm::net::meta_webhook parse_ok(std::string_view body) {
  auto result = parse_meta_webhook(body);
  // Boost evaluates the message eagerly, and error() of a value is undefined.
  if (!result)
    BOOST_FAIL("parse failed: " << crm::message_of(result.error()));
  return std::move(*result);
}

// Parses one Meta message object inside the usual envelope.
crm::inbound_message only_message(std::string_view message) {
  auto hook = parse_ok(message_payload(message));
  BOOST_REQUIRE_EQUAL(hook.changes.size(), 1u);
  BOOST_REQUIRE_EQUAL(hook.changes[0].messages.size(), 1u);
  BOOST_TEST(hook.changes[0].statuses.empty());
  return hook.changes[0].messages[0];
}

crm::status_update only_status(std::string_view status) {
  auto hook = parse_ok(status_payload(status));
  BOOST_REQUIRE_EQUAL(hook.changes.size(), 1u);
  BOOST_REQUIRE_EQUAL(hook.changes[0].statuses.size(), 1u);
  BOOST_TEST(hook.changes[0].messages.empty());
  return hook.changes[0].statuses[0];
}

void check_invalid(std::string_view body, std::string_view field) {
  auto result = parse_meta_webhook(body);
  BOOST_REQUIRE(!result);
  BOOST_TEST(std::string{crm::to_string(crm::code_of(result.error()))} == "invalid_input");
  auto message = crm::message_of(result.error());
  BOOST_TEST(message.find(field) != std::string::npos,
             "'" << message << "' should mention '" << field << "'");
}

} // namespace

BOOST_AUTO_TEST_SUITE(meta_webhook)

BOOST_AUTO_TEST_CASE(text_message) {
  auto hook = parse_ok(R"({
    "object": "whatsapp_business_account",
    "entry": [{
      "id": "102290129340398",
      "changes": [{
        "value": {
          "messaging_product": "whatsapp",
          "metadata": {
            "display_phone_number": "573105550000",
            "phone_number_id": "106540352242922"
          },
          "contacts": [{"profile": {"name": "María Fernández"}, "wa_id": "573001234567"}],
          "messages": [{
            "from": "573001234567",
            "id": "wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgUM0VCMEQ5RjJBNTg4QjQ3RjE5NzIA",
            "timestamp": "1718034000",
            "text": {"body": "Buenos días, quiero un acuerdo de pago"},
            "type": "text"
          }]
        },
        "field": "messages"
      }]
    }]
  })");
  BOOST_REQUIRE_EQUAL(hook.changes.size(), 1u);
  const auto& change = hook.changes[0];
  BOOST_TEST(change.phone_number_id == "106540352242922");
  BOOST_TEST(change.display_phone_number == "573105550000");
  BOOST_TEST(change.errors.empty());
  BOOST_REQUIRE_EQUAL(change.messages.size(), 1u);
  const auto& msg = change.messages[0];
  BOOST_TEST(msg.provider_id == "wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgUM0VCMEQ5RjJBNTg4QjQ3RjE5NzIA");
  BOOST_TEST(msg.from == "+573001234567");
  BOOST_TEST(msg.contact_name == "María Fernández");
  BOOST_TEST(msg.type == "text");
  BOOST_TEST(msg.text == "Buenos días, quiero un acuerdo de pago");
  BOOST_TEST(msg.timestamp == 1718034000);
  BOOST_TEST(msg.media.empty());
  BOOST_TEST(msg.details.empty());
  BOOST_TEST(hook.message_count() == 1u);
  BOOST_TEST(hook.status_count() == 0u);
}

BOOST_AUTO_TEST_CASE(interactive_button_reply) {
  auto msg = only_message(R"({
    "context": {"from": "573105550000", "id": "wamid.HBgMNTczMDAxMjM0NTY3FQIAERgSQzFBRjk2QjE0QjU1NkE2QjlCAA=="},
    "from": "573001234567",
    "id": "wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgWM0VCMDFBQjQ3NjhEODM0RjlCRjVEMwA=",
    "timestamp": "1718034120",
    "type": "interactive",
    "interactive": {
      "type": "button_reply",
      "button_reply": {"id": "pay_today", "title": "Pagar hoy"}
    }
  })");
  BOOST_TEST(msg.type == "interactive");
  BOOST_TEST(msg.text == "Pagar hoy");
  BOOST_TEST(msg.media.empty());
  auto details = json::parse(msg.details);
  BOOST_TEST(details["interactive"] ==
             json({{"id", "pay_today"}, {"title", "Pagar hoy"}, {"kind", "button_reply"}}));
  BOOST_TEST(details["context"]["id"] ==
             "wamid.HBgMNTczMDAxMjM0NTY3FQIAERgSQzFBRjk2QjE0QjU1NkE2QjlCAA==");
}

BOOST_AUTO_TEST_CASE(interactive_list_reply) {
  auto msg = only_message(R"({
    "context": {"from": "573105550000", "id": "wamid.HBgMNTczMDAxMjM0NTY3FQIAERgSNDQ5QkE2QjE0QjU1NkE2QjlCAA=="},
    "from": "573001234567",
    "id": "wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgWM0VCMDJDQjQ3NjhEODM0RjlCRjVEMwA=",
    "timestamp": "1718034180",
    "type": "interactive",
    "interactive": {
      "type": "list_reply",
      "list_reply": {
        "id": "plan_3_cuotas",
        "title": "3 cuotas",
        "description": "Pague su saldo en 3 meses sin intereses"
      }
    }
  })");
  BOOST_TEST(msg.type == "interactive");
  BOOST_TEST(msg.text == "3 cuotas");
  auto details = json::parse(msg.details);
  BOOST_TEST(details["interactive"] ==
             json({{"id", "plan_3_cuotas"},
                   {"title", "3 cuotas"},
                   {"description", "Pague su saldo en 3 meses sin intereses"},
                   {"kind", "list_reply"}}));
}

BOOST_AUTO_TEST_CASE(template_quick_reply_button) {
  auto msg = only_message(R"({
    "context": {"from": "573105550000", "id": "wamid.HBgMNTczMDAxMjM0NTY3FQIAERgSRTVCRjk2QjE0QjU1NkE2QjlCAA=="},
    "from": "573001234567",
    "id": "wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgWM0VCMDNEQjQ3NjhEODM0RjlCRjVEMwA=",
    "timestamp": "1718034240",
    "type": "button",
    "button": {"payload": "PROMESA_PAGO", "text": "Prometo pagar"}
  })");
  BOOST_TEST(msg.type == "button");
  BOOST_TEST(msg.text == "Prometo pagar");
  auto details = json::parse(msg.details);
  BOOST_TEST(details["button"] == json({{"payload", "PROMESA_PAGO"}, {"text", "Prometo pagar"}}));
  BOOST_TEST(details["context"]["from"] == "573105550000");
}

BOOST_AUTO_TEST_CASE(image_with_caption) {
  auto msg = only_message(R"({
    "from": "573001234567",
    "id": "wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgWM0VCMDRFQjQ3NjhEODM0RjlCRjVEMwA=",
    "timestamp": "1718034300",
    "type": "image",
    "image": {
      "caption": "Comprobante de pago",
      "mime_type": "image/jpeg",
      "sha256": "HgsiTgoqo6JOL1pDbzjFvBMOlEm8Q6ZAbg6N3DNh2fc=",
      "id": "1479537139650973"
    }
  })");
  BOOST_TEST(msg.type == "image");
  BOOST_TEST(msg.text == "Comprobante de pago");
  BOOST_TEST(json::parse(msg.media) ==
             json({{"id", "1479537139650973"},
                   {"mimeType", "image/jpeg"},
                   {"sha256", "HgsiTgoqo6JOL1pDbzjFvBMOlEm8Q6ZAbg6N3DNh2fc="},
                   {"caption", "Comprobante de pago"}}));
  BOOST_TEST(msg.details.empty());
}

BOOST_AUTO_TEST_CASE(document_with_filename) {
  auto msg = only_message(R"({
    "from": "573001234567",
    "id": "wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgWM0VCMDVGQjQ3NjhEODM0RjlCRjVEMwA=",
    "timestamp": "1718034360",
    "type": "document",
    "document": {
      "filename": "recibo_marzo_2024.pdf",
      "mime_type": "application/pdf",
      "sha256": "s0Pw1oLd5ihyLnXFCWvm4NTF9rvVXpsA+r3DSiM+uUw=",
      "id": "846720497463329"
    }
  })");
  BOOST_TEST(msg.type == "document");
  BOOST_TEST(msg.text.empty());
  BOOST_TEST(json::parse(msg.media) ==
             json({{"id", "846720497463329"},
                   {"mimeType", "application/pdf"},
                   {"sha256", "s0Pw1oLd5ihyLnXFCWvm4NTF9rvVXpsA+r3DSiM+uUw="},
                   {"filename", "recibo_marzo_2024.pdf"}}));
}

BOOST_AUTO_TEST_CASE(voice_note_audio) {
  auto msg = only_message(R"({
    "from": "573001234567",
    "id": "wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgWM0VCMDYwQjQ3NjhEODM0RjlCRjVEMwA=",
    "timestamp": "1718034420",
    "type": "audio",
    "audio": {
      "mime_type": "audio/ogg; codecs=opus",
      "sha256": "3Wk8eO4gK0Jd1ZGzB8yVYp5t6Rj4pS2a9w1c0Q7xLmE=",
      "id": "1010987263094213",
      "voice": true
    }
  })");
  BOOST_TEST(msg.type == "audio");
  BOOST_TEST(msg.text.empty());
  BOOST_TEST(json::parse(msg.media) ==
             json({{"id", "1010987263094213"},
                   {"mimeType", "audio/ogg; codecs=opus"},
                   {"sha256", "3Wk8eO4gK0Jd1ZGzB8yVYp5t6Rj4pS2a9w1c0Q7xLmE="}}));
}

BOOST_AUTO_TEST_CASE(video_and_sticker) {
  auto video = only_message(R"({
    "from": "573001234567",
    "id": "wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgWM0VCMDcxQjQ3NjhEODM0RjlCRjVEMwA=",
    "timestamp": "1718034480",
    "type": "video",
    "video": {
      "caption": "Así quedó la moto",
      "mime_type": "video/mp4",
      "sha256": "p1B4HVHSdVTXxVh2wbN8lKZ0kJ9o3fO3m2rBvXcY6aQ=",
      "id": "2137405126712354"
    }
  })");
  BOOST_TEST(video.type == "video");
  BOOST_TEST(video.text == "Así quedó la moto");
  BOOST_TEST(json::parse(video.media)["id"] == "2137405126712354");
  BOOST_TEST(json::parse(video.media)["mimeType"] == "video/mp4");

  auto sticker = only_message(R"({
    "from": "573001234567",
    "id": "wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgWM0VCMDgyQjQ3NjhEODM0RjlCRjVEMwA=",
    "timestamp": "1718034540",
    "type": "sticker",
    "sticker": {
      "mime_type": "image/webp",
      "sha256": "bL7aPzV3q2dY0nR5wS8kX1cE4fG6hJ9mT0uI3oA2sD4=",
      "id": "972154830917426",
      "animated": false
    }
  })");
  BOOST_TEST(sticker.type == "sticker");
  BOOST_TEST(sticker.text.empty());
  BOOST_TEST(json::parse(sticker.media) ==
             json({{"id", "972154830917426"},
                   {"mimeType", "image/webp"},
                   {"sha256", "bL7aPzV3q2dY0nR5wS8kX1cE4fG6hJ9mT0uI3oA2sD4="}}));
}

BOOST_AUTO_TEST_CASE(location) {
  auto msg = only_message(R"({
    "from": "573001234567",
    "id": "wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgWM0VCMDkzQjQ3NjhEODM0RjlCRjVEMwA=",
    "timestamp": "1718034600",
    "type": "location",
    "location": {
      "address": "Cra. 7 #32-16, Bogotá, Colombia",
      "latitude": 4.6189,
      "longitude": -74.0695,
      "name": "Oficina de cobranza"
    }
  })");
  BOOST_TEST(msg.type == "location");
  BOOST_TEST(msg.text == "Oficina de cobranza");
  BOOST_TEST(msg.media.empty());
  BOOST_TEST(json::parse(msg.details) ==
             json({{"location",
                    {{"latitude", 4.6189},
                     {"longitude", -74.0695},
                     {"name", "Oficina de cobranza"},
                     {"address", "Cra. 7 #32-16, Bogotá, Colombia"}}}}));

  // A pin dropped without a place name: only the coordinates.
  auto pin = only_message(R"({
    "from": "573001234567",
    "id": "wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgWM0VCMEE0QjQ3NjhEODM0RjlCRjVEMwA=",
    "timestamp": "1718034601",
    "type": "location",
    "location": {"latitude": 6.2442, "longitude": -75.5812}
  })");
  BOOST_TEST(pin.text.empty());
  BOOST_TEST(json::parse(pin.details) ==
             json({{"location", {{"latitude", 6.2442}, {"longitude", -75.5812}}}}));
}

BOOST_AUTO_TEST_CASE(reaction_kept_as_unsupported) {
  const std::string_view raw = R"({
    "from": "573001234567",
    "id": "wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgWM0VCMEI1QjQ3NjhEODM0RjlCRjVEMwA=",
    "timestamp": "1718034660",
    "type": "reaction",
    "reaction": {
      "message_id": "wamid.HBgMNTczMDAxMjM0NTY3FQIAERgSQzFBRjk2QjE0QjU1NkE2QjlCAA==",
      "emoji": "👍"
    }
  })";
  auto msg = only_message(raw);
  BOOST_TEST(msg.type == "unsupported");
  BOOST_TEST(msg.text.empty());
  BOOST_TEST(msg.media.empty());
  BOOST_TEST(msg.provider_id ==
             "wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgWM0VCMEI1QjQ3NjhEODM0RjlCRjVEMwA=");
  auto details = json::parse(msg.details);
  BOOST_TEST(details["originalType"] == "reaction");
  BOOST_TEST(details["raw"] == json::parse(raw));
}

BOOST_AUTO_TEST_CASE(order_and_meta_unsupported_kept) {
  const std::string_view order = R"({
    "from": "573001234567",
    "id": "wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgWM0VCMEM2QjQ3NjhEODM0RjlCRjVEMwA=",
    "timestamp": "1718034720",
    "type": "order",
    "order": {
      "catalog_id": "1357924680",
      "text": "Quiero este plan",
      "product_items": [{"product_retailer_id": "plan-1", "quantity": 1, "item_price": 50000, "currency": "COP"}]
    }
  })";
  auto msg = only_message(order);
  BOOST_TEST(msg.type == "unsupported");
  BOOST_TEST(json::parse(msg.details) ==
             json({{"originalType", "order"}, {"raw", json::parse(order)}}));

  // What Meta itself sends for e.g. a poll: type "unsupported" with an errors array.
  const std::string_view meta_unsupported = R"({
    "from": "573001234567",
    "id": "wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgWM0VCMEQ3QjQ3NjhEODM0RjlCRjVEMwA=",
    "timestamp": "1718034780",
    "type": "unsupported",
    "errors": [{
      "code": 131051,
      "title": "Message type unknown",
      "message": "Message type unknown",
      "error_data": {"details": "Message type is currently not supported."}
    }]
  })";
  auto unknown = only_message(meta_unsupported);
  BOOST_TEST(unknown.type == "unsupported");
  BOOST_TEST(json::parse(unknown.details)["raw"] == json::parse(meta_unsupported));
  BOOST_TEST(json::parse(unknown.details)["originalType"] == "unsupported");
}

BOOST_AUTO_TEST_CASE(reply_with_context) {
  auto msg = only_message(R"({
    "context": {
      "from": "573105550000",
      "id": "wamid.HBgMNTczMDAxMjM0NTY3FQIAERgSRjZDRjk2QjE0QjU1NkE2QjlCAA=="
    },
    "from": "573001234567",
    "id": "wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgWM0VCMEU4QjQ3NjhEODM0RjlCRjVEMwA=",
    "timestamp": "1718034840",
    "text": {"body": "Sí, ese valor es correcto"},
    "type": "text"
  })");
  BOOST_TEST(msg.type == "text");
  BOOST_TEST(msg.text == "Sí, ese valor es correcto");
  BOOST_TEST(json::parse(msg.details) ==
             json({{"context",
                    {{"from", "573105550000"},
                     {"id", "wamid.HBgMNTczMDAxMjM0NTY3FQIAERgSRjZDRjk2QjE0QjU1NkE2QjlCAA=="}}}}));
}

BOOST_AUTO_TEST_CASE(status_sent) {
  auto st = only_status(R"({
    "id": "wamid.HBgMNTczMDAxMjM0NTY3FQIAERgSQzFBRjk2QjE0QjU1NkE2QjlCAA==",
    "status": "sent",
    "timestamp": "1718034005",
    "recipient_id": "573001234567",
    "conversation": {
      "id": "ca1f0b2e4a5d6c7b8e9f0a1b2c3d4e5f",
      "expiration_timestamp": "1718120405",
      "origin": {"type": "utility"}
    },
    "pricing": {"billable": true, "pricing_model": "CBP", "category": "utility"}
  })");
  BOOST_TEST(st.provider_id == "wamid.HBgMNTczMDAxMjM0NTY3FQIAERgSQzFBRjk2QjE0QjU1NkE2QjlCAA==");
  BOOST_TEST(st.status == "sent");
  BOOST_TEST(st.timestamp == 1718034005);
  BOOST_TEST(st.recipient == "+573001234567");
  BOOST_TEST(st.errors.empty());
}

BOOST_AUTO_TEST_CASE(status_delivered) {
  auto st = only_status(R"({
    "id": "wamid.HBgMNTczMDAxMjM0NTY3FQIAERgSQzFBRjk2QjE0QjU1NkE2QjlCAA==",
    "status": "delivered",
    "timestamp": "1718034007",
    "recipient_id": "573001234567",
    "conversation": {"id": "ca1f0b2e4a5d6c7b8e9f0a1b2c3d4e5f", "origin": {"type": "utility"}},
    "pricing": {"billable": true, "pricing_model": "CBP", "category": "utility"}
  })");
  BOOST_TEST(st.status == "delivered");
  BOOST_TEST(st.timestamp == 1718034007);
  BOOST_TEST(st.recipient == "+573001234567");
}

BOOST_AUTO_TEST_CASE(status_read) {
  auto st = only_status(R"({
    "id": "wamid.HBgMNTczMDAxMjM0NTY3FQIAERgSQzFBRjk2QjE0QjU1NkE2QjlCAA==",
    "status": "read",
    "timestamp": "1718034100",
    "recipient_id": "573001234567"
  })");
  BOOST_TEST(st.status == "read");
  BOOST_TEST(st.timestamp == 1718034100);
}

BOOST_AUTO_TEST_CASE(status_failed_with_errors) {
  auto st = only_status(R"({
    "id": "wamid.HBgMNTczMDAxMjM0NTY3FQIAERgSMjdBRjk2QjE0QjU1NkE2QjlCAA==",
    "status": "failed",
    "timestamp": "1718035000",
    "recipient_id": "573001234567",
    "errors": [{
      "code": 131047,
      "title": "Re-engagement message",
      "message": "Re-engagement message",
      "error_data": {
        "details": "Message failed to send because more than 24 hours have passed since the customer last replied to this number."
      },
      "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"
    }]
  })");
  BOOST_TEST(st.status == "failed");
  BOOST_TEST(st.recipient == "+573001234567");
  auto errors = json::parse(st.errors);
  BOOST_REQUIRE(errors.is_array());
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_TEST(errors[0]["code"] == 131047);
  BOOST_TEST(errors[0]["title"] == "Re-engagement message");
  BOOST_TEST(st.errors == errors.dump()); // compact
}

BOOST_AUTO_TEST_CASE(several_entries_and_changes_in_order) {
  auto hook = parse_ok(R"({
    "object": "whatsapp_business_account",
    "entry": [
      {
        "id": "102290129340398",
        "changes": [
          {
            "value": {
              "messaging_product": "whatsapp",
              "metadata": {"display_phone_number": "573105550000", "phone_number_id": "106540352242922"},
              "contacts": [
                {"profile": {"name": "María Fernández"}, "wa_id": "573001234567"},
                {"profile": {"name": "Jorge Ramírez"}, "wa_id": "573157654321"}
              ],
              "messages": [
                {"from": "573157654321", "id": "wamid.A1", "timestamp": "1718040000", "text": {"body": "primero"}, "type": "text"},
                {"from": "573001234567", "id": "wamid.A2", "timestamp": "1718040001", "text": {"body": "segundo"}, "type": "text"}
              ]
            },
            "field": "messages"
          },
          {
            "value": {
              "event": "APPROVED",
              "message_template_id": 594425479261596,
              "message_template_name": "recordatorio_pago",
              "message_template_language": "es",
              "reason": "NONE"
            },
            "field": "message_template_status_update"
          },
          {
            "value": {
              "messaging_product": "whatsapp",
              "metadata": {"display_phone_number": "573105550000", "phone_number_id": "106540352242922"},
              "statuses": [
                {"id": "wamid.S1", "status": "delivered", "timestamp": "1718040002", "recipient_id": "573001234567"},
                {"id": "wamid.S2", "status": "read", "timestamp": "1718040003", "recipient_id": "573157654321"}
              ]
            },
            "field": "messages"
          }
        ]
      },
      {
        "id": "113344556677889",
        "changes": [{
          "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "573205550001", "phone_number_id": "117788990011223"},
            "contacts": [{"profile": {"name": "Ana Gómez"}, "wa_id": "573209876543"}],
            "messages": [
              {"from": "573209876543", "id": "wamid.B1", "timestamp": "1718040004", "text": {"body": "tercero"}, "type": "text"}
            ]
          },
          "field": "messages"
        }]
      }
    ]
  })");
  BOOST_REQUIRE_EQUAL(hook.changes.size(), 3u); // the template update is not a "messages" change
  BOOST_TEST(hook.message_count() == 3u);
  BOOST_TEST(hook.status_count() == 2u);

  const auto& first = hook.changes[0];
  BOOST_TEST(first.phone_number_id == "106540352242922");
  BOOST_REQUIRE_EQUAL(first.messages.size(), 2u);
  BOOST_TEST(first.messages[0].provider_id == "wamid.A1");
  BOOST_TEST(first.messages[0].contact_name == "Jorge Ramírez"); // matched by wa_id, not position
  BOOST_TEST(first.messages[0].from == "+573157654321");
  BOOST_TEST(first.messages[1].provider_id == "wamid.A2");
  BOOST_TEST(first.messages[1].contact_name == "María Fernández");

  const auto& second = hook.changes[1];
  BOOST_TEST(second.phone_number_id == "106540352242922");
  BOOST_TEST(second.messages.empty());
  BOOST_REQUIRE_EQUAL(second.statuses.size(), 2u);
  BOOST_TEST(second.statuses[0].provider_id == "wamid.S1");
  BOOST_TEST(second.statuses[0].status == "delivered");
  BOOST_TEST(second.statuses[1].provider_id == "wamid.S2");
  BOOST_TEST(second.statuses[1].recipient == "+573157654321");

  const auto& third = hook.changes[2];
  BOOST_TEST(third.phone_number_id == "117788990011223");
  BOOST_TEST(third.display_phone_number == "573205550001");
  BOOST_REQUIRE_EQUAL(third.messages.size(), 1u);
  BOOST_TEST(third.messages[0].provider_id == "wamid.B1");
  BOOST_TEST(third.messages[0].text == "tercero");
  BOOST_TEST(third.messages[0].contact_name == "Ana Gómez");
}

BOOST_AUTO_TEST_CASE(spanish_text_round_trips_byte_exact) {
  // "¿Cuánto debo? Señora Núñez 🙏💸" spelled as bytes, independent of the source encoding.
  const std::string expected = "\xc2\xbf"
                               "Cu\xc3\xa1nto debo? Se\xc3\xb1ora N\xc3\xba\xc3\xb1"
                               "ez \xf0\x9f\x99\x8f\xf0\x9f\x92\xb8";
  auto utf8 = only_message(R"({
    "from": "573001234567",
    "id": "wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgWM0VCMEY5QjQ3NjhEODM0RjlCRjVEMwA=",
    "timestamp": "1718034900",
    "text": {"body": "¿Cuánto debo? Señora Núñez 🙏💸"},
    "type": "text"
  })");
  BOOST_TEST(utf8.text == expected);
  BOOST_TEST(utf8.contact_name == "Mar\xc3\xad"
                                  "a Fern\xc3\xa1ndez");

  // Meta escapes non-ASCII (emoji as surrogate pairs); decoding must give the same bytes.
  auto escaped = only_message(R"({
    "from": "573001234567",
    "id": "wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgWM0VCMEY5QjQ3NjhEODM0RjlCRjVEMwA=",
    "timestamp": "1718034900",
    "text": {"body": "\u00bfCu\u00e1nto debo? Se\u00f1ora N\u00fa\u00f1ez \ud83d\ude4f\ud83d\udcb8"},
    "type": "text"
  })");
  BOOST_TEST(escaped.text == expected);
}

BOOST_AUTO_TEST_CASE(numeric_timestamp_accepted) {
  auto msg = only_message(R"({
    "from": "573001234567",
    "id": "wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgWM0VCMTBBQjQ3NjhEODM0RjlCRjVEMwA=",
    "timestamp": 1718034960,
    "text": {"body": "hola"},
    "type": "text"
  })");
  BOOST_TEST(msg.timestamp == 1718034960);
}

BOOST_AUTO_TEST_CASE(contact_name_falls_back_to_first_contact) {
  auto hook = parse_ok(
      R"({"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"573105550000","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Pedro Ruiz"},"wa_id":"573009999999"}],"messages":[{"from":"573001234567","id":"wamid.C1","timestamp":"1718035100","text":{"body":"hola"},"type":"text"}]},"field":"messages"}]}]})");
  BOOST_TEST(hook.changes.at(0).messages.at(0).contact_name == "Pedro Ruiz");

  auto nameless = parse_ok(
      R"({"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"573105550000","phone_number_id":"106540352242922"},"messages":[{"from":"573001234567","id":"wamid.C2","timestamp":"1718035101","text":{"body":"hola"},"type":"text"}]},"field":"messages"}]}]})");
  BOOST_TEST(nameless.changes.at(0).messages.at(0).contact_name.empty());
}

BOOST_AUTO_TEST_CASE(change_level_errors_kept) {
  const std::string_view value =
      R"({"messaging_product":"whatsapp","metadata":{"display_phone_number":"573105550000","phone_number_id":"106540352242922"},"errors":[{"code":131000,"title":"Something went wrong","message":"Something went wrong","error_data":{"details":"Unknown error"}}]})";
  auto hook = parse_ok(
      R"({"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":)" +
      std::string{value} + R"(,"field":"messages"}]}]})");
  BOOST_REQUIRE_EQUAL(hook.changes.size(), 1u);
  BOOST_TEST(hook.changes[0].phone_number_id == "106540352242922");
  BOOST_TEST(hook.changes[0].messages.empty());
  BOOST_TEST(json::parse(hook.changes[0].errors) == json::parse(value));
}

BOOST_AUTO_TEST_CASE(empty_entry_list_is_valid) {
  auto hook = parse_ok(R"({"object":"whatsapp_business_account","entry":[]})");
  BOOST_TEST(hook.changes.empty());
  BOOST_TEST(hook.message_count() == 0u);
}

// Negative cases: every shape problem is invalid_input naming the offending field.

BOOST_AUTO_TEST_CASE(malformed_json_rejected) {
  check_invalid(R"({"object":"whatsapp_business_account","entry":[)", "malformed JSON");
  check_invalid("", "malformed JSON");
}

BOOST_AUTO_TEST_CASE(wrong_object_rejected) {
  check_invalid(R"({"object":"page","entry":[]})", "object");
  check_invalid(R"({"entry":[]})", "object is required");
  check_invalid(R"(["whatsapp_business_account"])", "JSON object");
}

BOOST_AUTO_TEST_CASE(missing_entry_rejected) {
  check_invalid(R"({"object":"whatsapp_business_account"})", "entry is required");
  check_invalid(R"({"object":"whatsapp_business_account","entry":{}})", "entry must be an array");
  check_invalid(R"({"object":"whatsapp_business_account","entry":[{"id":"102290129340398"}]})",
                "entry[0].changes is required");
}

BOOST_AUTO_TEST_CASE(message_missing_id_rejected) {
  check_invalid(
      message_payload(
          R"({"from":"573001234567","timestamp":"1718034000","text":{"body":"hola"},"type":"text"})"),
      "entry[0].changes[0].value.messages[0].id is required");
}

BOOST_AUTO_TEST_CASE(bad_from_rejected) {
  check_invalid(
      message_payload(
          R"({"from":"57300abc4567","id":"wamid.X1","timestamp":"1718034000","text":{"body":"hola"},"type":"text"})"),
      "entry[0].changes[0].value.messages[0].from");
  check_invalid(
      message_payload(
          R"({"from":"12345","id":"wamid.X2","timestamp":"1718034000","text":{"body":"hola"},"type":"text"})"),
      "messages[0].from is not a valid phone number");
  check_invalid(
      message_payload(
          R"({"from":573001234567,"id":"wamid.X3","timestamp":"1718034000","text":{"body":"hola"},"type":"text"})"),
      "messages[0].from must be a string");
}

BOOST_AUTO_TEST_CASE(text_without_body_rejected) {
  check_invalid(
      message_payload(
          R"({"from":"573001234567","id":"wamid.X4","timestamp":"1718034000","text":{},"type":"text"})"),
      "entry[0].changes[0].value.messages[0].text.body is required");
  check_invalid(
      message_payload(
          R"({"from":"573001234567","id":"wamid.X5","timestamp":"1718034000","text":{"body":42},"type":"text"})"),
      "messages[0].text.body must be a string");
  check_invalid(
      message_payload(
          R"({"from":"573001234567","id":"wamid.X6","timestamp":"1718034000","type":"text"})"),
      "messages[0].text is required");
}

BOOST_AUTO_TEST_CASE(other_bad_message_shapes_rejected) {
  check_invalid(
      message_payload(
          R"({"from":"573001234567","id":"wamid.X7","timestamp":"1718034000","type":"image","image":{"mime_type":"image/jpeg"}})"),
      "messages[0].image.id is required");
  check_invalid(
      message_payload(
          R"({"from":"573001234567","id":"wamid.X8","timestamp":"yesterday","text":{"body":"hola"},"type":"text"})"),
      "messages[0].timestamp");
  check_invalid(
      message_payload(
          R"({"from":"573001234567","id":"wamid.X9","timestamp":"1718034000","text":{"body":"hola"}})"),
      "messages[0].type is required");
  check_invalid(
      message_payload(
          R"({"from":"573001234567","id":"wamid.XA","timestamp":"1718034000","type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"pay_today"}}})"),
      "messages[0].interactive.button_reply.title is required");
  check_invalid(
      message_payload(
          R"({"from":"573001234567","id":"wamid.XB","timestamp":"1718034000","type":"location","location":{"latitude":"4.6"}})"),
      "messages[0].location.latitude must be a number");
  check_invalid(message_payload(R"("wamid.XC")"), "messages[0] must be an object");
}

BOOST_AUTO_TEST_CASE(unknown_status_name_rejected) {
  check_invalid(
      status_payload(
          R"({"id":"wamid.S9","status":"deleted","timestamp":"1718034000","recipient_id":"573001234567"})"),
      "entry[0].changes[0].value.statuses[0].status");
  check_invalid(status_payload(R"({"id":"wamid.S9","status":"pending","timestamp":"1718034000"})"),
                "statuses[0].status");
  check_invalid(status_payload(R"({"status":"sent","timestamp":"1718034000"})"),
                "statuses[0].id is required");
  check_invalid(
      status_payload(
          R"({"id":"wamid.S9","status":"failed","timestamp":"1718034000","errors":{"code":131026}})"),
      "statuses[0].errors must be an array");
}

BOOST_AUTO_TEST_CASE(missing_phone_number_id_rejected) {
  check_invalid(
      R"({"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"573105550000"},"messages":[{"from":"573001234567","id":"wamid.X1","timestamp":"1718034000","text":{"body":"hola"},"type":"text"}]},"field":"messages"}]}]})",
      "entry[0].changes[0].value.metadata.phone_number_id is required");
  check_invalid(
      R"({"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","statuses":[{"id":"wamid.S1","status":"sent","timestamp":"1718034000"}]},"field":"messages"}]}]})",
      "entry[0].changes[0].value.metadata is required");
  check_invalid(
      R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"metadata":{"phone_number_id":"1"},"messages":[]},"field":"messages"},{"value":{"metadata":{"phone_number_id":106540352242922},"messages":[]},"field":"messages"}]}]})",
      "entry[0].changes[1].value.metadata.phone_number_id must be a string");
}

BOOST_AUTO_TEST_SUITE_END()
