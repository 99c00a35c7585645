// Proactive contact (Ley 2300 de 2023): an agent's contact with a debtor, outbound campaign
// runs, and the composer's check of forbidden questions. Contacts are reserved under the
// contact rules by the CRM WORKER; refusals answer 422 with the next allowed time.
#include "net/http_error.hpp"
#include "net/routes/records.hpp"
#include "net/routes/routes.hpp"

namespace crm::net {

route_table outreach_routes(const services& s) {
  return {
      // Starting a conversation is sending a message: messages:create.
      {http::verb::post, "/api/v1/debtors/{id}/contact", "messages:create",
       [&s](request_context& ctx, responder_ptr out) {
         auto body = nlohmann::json::parse(ctx.req.body(), nullptr, false);
         if (!body.is_object())
           return out->reply(400, "application/json",
                             error_body("invalid_input", "the body must be a JSON object"));
         body["debtorId"] = ctx.params.at("id");
         send(s, ctx, std::move(out), "contacts.start", {}, body.dump());
       }},
      {http::verb::get, "/api/v1/debtors/{id}/contacts", "debtors:read",
       with_body(s, "contacts.list", true)},
      // A contact made outside the CRM (call, SMS, e-mail, visit), so the rules count it.
      {http::verb::post, "/api/v1/debtors/{id}/contacts", "debtors:update",
       with_body(s, "contacts.record", true)},
      {http::verb::post, "/api/v1/campaigns/{id}/outbound", "campaigns:update",
       with_body(s, "outbound.start", true)},
      {http::verb::get, "/api/v1/campaigns/{id}/outbound", "campaigns:read",
       with_body(s, "outbound.list", true)},
      {http::verb::get, "/api/v1/outbound/{id}", "campaigns:read",
       with_body(s, "outbound.get", true)},
      {http::verb::post, "/api/v1/outbound/{id}/cancel", "campaigns:update",
       with_body(s, "outbound.cancel", true)},
      // The composer asks before sending: which phrases the law forbids are in the text.
      {http::verb::post, "/api/v1/compliance/check", "messages:create",
       [&s](request_context& ctx, responder_ptr out) {
         auto body = nlohmann::json::parse(ctx.req.body(), nullptr, false);
         if (!body.is_object() || !body.contains("text") || !body["text"].is_string())
           return out->reply(
               400, "application/json",
               error_body("invalid_input", "send {\"text\": \"...\"}", {{"field", "text"}}));
         auto warnings = nlohmann::json::array();
         auto text = body["text"].get<std::string>();
         if (s.contact)
           for (auto& phrase : s.contact->forbidden_phrases)
             if (!contact::find_phrase(text, {phrase}).empty())
               warnings.push_back(
                   {{"code", "forbidden_question"},
                    {"phrase", phrase},
                    {"message", "La ley prohíbe preguntar al deudor por qué no ha pagado; "
                                "ofrezca alternativas de pago."}});
         out->reply(200, "application/json",
                    nlohmann::json{{"allowed", warnings.empty()}, {"warnings", warnings}}.dump());
       }},
  };
}

} // namespace crm::net
