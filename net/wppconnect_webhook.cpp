#include "net/wppconnect_webhook.hpp"

#include "domain/phone.hpp"

#include <nlohmann/json.hpp>

#include <ctime>

namespace crm::net {

namespace {

using json = nlohmann::json;

/// "573001234567@c.us" -> "+573001234567".
std::optional<std::string> phone_of(const json& j) {
  auto raw = j.is_string() ? j.get<std::string>() : wppconnect_id(j);
  auto at = raw.find('@');
  return normalize_phone(raw.substr(0, at));
}

std::string type_of(const std::string& wpp) {
  if (wpp == "chat")
    return "text";
  if (wpp == "image" || wpp == "document" || wpp == "audio" || wpp == "video" || wpp == "sticker" ||
      wpp == "location")
    return wpp;
  if (wpp == "ptt")
    return "audio";
  return "unsupported";
}

/// A string field, or `fallback` when absent or of another type: the payload is not ours.
std::string text_at(const json& j, const char* key, const std::string& fallback = {}) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}

bool flag_at(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

std::int64_t number_of(const json& j) {
  if (j.is_number_integer())
    return j.get<std::int64_t>();
  if (j.is_string())
    try {
      return std::stoll(j.get<std::string>());
    } catch (...) {
    }
  return 0;
}

} // namespace

std::string wppconnect_id(const json& j) {
  if (j.is_string())
    return j.get<std::string>();
  if (!j.is_object())
    return {};
  if (j.contains("_serialized") && j["_serialized"].is_string())
    return j["_serialized"].get<std::string>();
  return j.contains("id") ? wppconnect_id(j["id"]) : std::string{};
}

std::string wppconnect_ack_status(long ack) {
  switch (ack) {
  case 1:
    return "sent";
  case 2:
    return "delivered";
  case 3:
    return "read";
  case 4:
    return "played";
  default:
    return ack < 0 ? "failed" : "";
  }
}

expected<wppconnect_event> parse_wppconnect_webhook(std::string_view body) {
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return make_error(ec::invalid_input, "the body is not a JSON object");
  if (!j.contains("event") || !j["event"].is_string())
    return make_error(ec::invalid_input, "a WPPConnect event needs \"event\"");
  wppconnect_event result;
  result.event = j["event"].get<std::string>();
  if (result.event == "onmessage") {
    if (flag_at(j, "isGroupMsg") || flag_at(j, "fromMe"))
      return result; // groups are not debtors; our own sends come back as onack
    auto id = wppconnect_id(j.value("id", json{}));
    auto from = phone_of(j.value("from", json{}));
    if (id.empty() || !from)
      return make_error(ec::invalid_input, "onmessage needs an id and a from phone");
    inbound_message m;
    m.provider_id = id;
    m.from = *from;
    if (j.contains("sender") && j["sender"].is_object())
      m.contact_name = text_at(j["sender"], "pushname", text_at(j["sender"], "name"));
    if (m.contact_name.empty())
      m.contact_name = text_at(j, "notifyName");
    auto wpp_type = text_at(j, "type", "chat");
    m.type = type_of(wpp_type);
    m.timestamp = number_of(j.value("timestamp", json{}));
    if (m.type == "text") {
      m.text = text_at(j, "body");
    } else {
      m.text = text_at(j, "caption");
      json media = {{"mimeType", text_at(j, "mimetype")}};
      if (j.contains("filename"))
        media["filename"] = j["filename"];
      if (m.type != "unsupported" && m.type != "location")
        m.media = media.dump();
      json details = {{"wppconnectType", wpp_type}};
      if (m.type == "location")
        details["location"] = {{"latitude", j.value("lat", json{})},
                               {"longitude", j.value("lng", json{})}};
      m.details = details.dump();
    }
    result.messages.push_back(std::move(m));
    return result;
  }
  if (result.event == "onack") {
    auto id = wppconnect_id(j.value("id", json{}));
    if (id.empty() || !j.contains("ack"))
      return make_error(ec::invalid_input, "onack needs an id and an ack");
    auto status = wppconnect_ack_status(static_cast<long>(number_of(j["ack"])));
    if (status.empty())
      return result;
    status_update s;
    s.provider_id = id;
    s.status = status;
    s.timestamp = number_of(j.value("t", json{}));
    if (s.timestamp == 0)
      s.timestamp = std::time(nullptr);
    if (auto to = phone_of(j.value("to", json{})))
      s.recipient = *to;
    if (status == "failed")
      s.errors = json::array({{{"code", number_of(j["ack"])},
                               {"title", "WPPConnect ack " + std::to_string(number_of(j["ack"]))}}})
                     .dump();
    result.statuses.push_back(std::move(s));
  }
  return result;
}

} // namespace crm::net
