// WhatsApp numbers: created, edited and removed through NUMBERS, which keeps a NUMBER per
// active number. Credentials are sealed here, before anything stores them, and never
// returned.
#include "domain/phone.hpp"
#include "net/chat_input.hpp"
#include "net/http_error.hpp"
#include "net/routes/routes.hpp"

#include <caf/send.hpp>
#include <nlohmann/json.hpp>

#include <regex>

namespace crm::net {

namespace {

using json = nlohmann::json;

bool non_empty_string(const json& j, size_t max = 1000) {
  return j.is_string() && !j.get<std::string>().empty() && j.get<std::string>().size() <= max;
}

/// Reads a number body into the columns to store; `creating` requires the full set.
std::optional<input_error> read_number(const json& body, bool creating, const secret_box& box,
                                       json& columns) {
  if (!body.is_object())
    return input_error{"body", "the body must be a JSON object"};
  std::string provider;
  if (creating) {
    auto p = body.value("provider", json{});
    if (p != "meta" && p != "wppconnect")
      return input_error{"provider", "provider must be meta or wppconnect"};
    provider = p.get<std::string>();
    columns["provider"] = provider;
  } else if (body.contains("provider")) {
    return input_error{"provider", "a number's provider cannot change: add a new number"};
  }
  if (body.contains("name") || creating) {
    if (!non_empty_string(body.value("name", json{}), 200))
      return input_error{"name", "name must be a non-empty string"};
    columns["name"] = body["name"];
  }
  if (body.contains("phoneNumber") || creating) {
    auto raw = body.value("phoneNumber", json{});
    auto phone = raw.is_string() ? normalize_phone(raw.get<std::string>()) : std::nullopt;
    if (!phone)
      return input_error{"phoneNumber", "phoneNumber must be a phone number in E.164"};
    columns["phone_number"] = *phone;
  }
  if (body.contains("campaignId")) {
    auto& c = body["campaignId"];
    if (!c.is_null() && !(c.is_string() && is_uuid(c.get<std::string>())))
      return input_error{"campaignId", "campaignId must be a campaign id or null"};
    columns["campaign_id"] = c;
  }
  if (body.contains("rateLimitPerSecond")) {
    auto& r = body["rateLimitPerSecond"];
    if (!r.is_number_integer() || r.get<long>() < 1 || r.get<long>() > 1000)
      return input_error{"rateLimitPerSecond", "rateLimitPerSecond must be 1 to 1000"};
    columns["rate_limit_per_second"] = r;
  }
  json secrets = json::object();
  auto meta = body.value("meta", json{});
  if (!meta.is_null()) {
    if (!meta.is_object())
      return input_error{"meta", "meta must be {phoneNumberId, accessToken}"};
    if (meta.contains("phoneNumberId")) {
      static const std::regex digits{"^[0-9]{5,32}$"};
      auto& id = meta["phoneNumberId"];
      if (!id.is_string() || !std::regex_match(id.get<std::string>(), digits))
        return input_error{"meta.phoneNumberId", "meta.phoneNumberId must be Meta's digits"};
      columns["meta_phone_number_id"] = id;
    }
    if (meta.contains("accessToken")) {
      if (!non_empty_string(meta["accessToken"], 4096))
        return input_error{"meta.accessToken", "meta.accessToken must be a non-empty string"};
      secrets["accessToken"] = meta["accessToken"];
    }
  }
  auto wpp = body.value("wppconnect", json{});
  if (!wpp.is_null()) {
    if (!wpp.is_object())
      return input_error{"wppconnect", "wppconnect must be {baseUrl, session, token}"};
    if (wpp.contains("baseUrl")) {
      static const std::regex url{R"(^https?://[^\s/]+(/\S*)?$)"};
      if (!wpp["baseUrl"].is_string() || !std::regex_match(wpp["baseUrl"].get<std::string>(), url))
        return input_error{"wppconnect.baseUrl", "wppconnect.baseUrl must be an http(s) URL"};
      columns["wppconnect_base_url"] = wpp["baseUrl"];
    }
    if (wpp.contains("session")) {
      static const std::regex name{"^[A-Za-z0-9_-]{1,100}$"};
      if (!wpp["session"].is_string() || !std::regex_match(wpp["session"].get<std::string>(), name))
        return input_error{"wppconnect.session", "wppconnect.session must be a session name"};
      columns["wppconnect_session"] = wpp["session"];
    }
    if (wpp.contains("token")) {
      if (!non_empty_string(wpp["token"], 4096))
        return input_error{"wppconnect.token", "wppconnect.token must be a non-empty string"};
      secrets["token"] = wpp["token"];
    }
  }
  if (creating && provider == "meta" &&
      (!columns.contains("meta_phone_number_id") || !secrets.contains("accessToken")))
    return input_error{"meta", "a Meta number needs meta.phoneNumberId and meta.accessToken"};
  if (creating && provider == "wppconnect" &&
      (!columns.contains("wppconnect_base_url") || !columns.contains("wppconnect_session") ||
       !secrets.contains("token")))
    return input_error{"wppconnect", "a WPPConnect number needs baseUrl, session and token"};
  if (!creating && !meta.is_null() && !wpp.is_null())
    return input_error{"meta", "give the settings of the number's own provider only"};
  if (!creating && (!meta.is_null() || !wpp.is_null()))
    columns["settingsFor"] = meta.is_null() ? "wppconnect" : "meta"; // checked where stored
  if (!secrets.empty())
    columns["credentials"] = box.seal(secrets.dump());
  if (columns.empty())
    return input_error{"body", "nothing to change"};
  return std::nullopt;
}

void change_number(const services& s, request_context& ctx, responder_ptr out,
                   const std::string& kind) {
  number_change change;
  change.kind = kind;
  if (kind != "create") {
    change.id.value = ctx.params.at("id");
    if (!is_uuid(change.id.value))
      return out->fail(make_error(ec::not_found, "no such number"));
  }
  if (kind != "delete") {
    json columns = json::object();
    auto body = json::parse(ctx.req.body(), nullptr, false);
    if (auto err = read_number(body, kind == "create", *s.secrets, columns))
      return out->reply(400, "application/json",
                        error_body("invalid_input", err->message, {{"field", err->field}}));
    change.fields = columns.dump();
  }
  caf::anon_send(s.gateway(), std::move(change), std::move(out));
}

} // namespace

route_table number_routes(const services& s) {
  return {
      {http::verb::get, "/api/v1/whatsapp/numbers", "whatsapp:read",
       [&s](request_context&, responder_ptr out) {
         caf::anon_send(s.gateway(), number_query{}, std::move(out));
       }},
      {http::verb::get, "/api/v1/whatsapp/numbers/{id}", "whatsapp:read",
       [&s](request_context& ctx, responder_ptr out) {
         auto id = ctx.params.at("id");
         if (!is_uuid(id))
           return out->fail(make_error(ec::not_found, "no such number"));
         caf::anon_send(s.gateway(), number_query{id}, std::move(out));
       }},
      {http::verb::post, "/api/v1/whatsapp/numbers", "whatsapp:create",
       [&s](request_context& ctx, responder_ptr out) {
         change_number(s, ctx, std::move(out), "create");
       }},
      {http::verb::patch, "/api/v1/whatsapp/numbers/{id}", "whatsapp:update",
       [&s](request_context& ctx, responder_ptr out) {
         change_number(s, ctx, std::move(out), "update");
       }},
      {http::verb::delete_, "/api/v1/whatsapp/numbers/{id}", "whatsapp:delete",
       [&s](request_context& ctx, responder_ptr out) {
         change_number(s, ctx, std::move(out), "delete");
       }},
  };
}

} // namespace crm::net
