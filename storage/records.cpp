#include "storage/records.hpp"

#include <regex>

namespace crm::storage::records {

using json = nlohmann::json;

api_reply answer(int status, const json& body, bool access_changed) {
  // Stored text is UTF-8; a quoted input (an imported file's cell) may not be: replaced.
  return api_reply{status, body.dump(-1, ' ', false, json::error_handler_t::replace), "", 0,
                   access_changed};
}

api_reply error(int status, const std::string& code, const std::string& message, json details) {
  json e = {{"code", code}, {"message", message}};
  if (!details.is_null())
    e["details"] = std::move(details);
  return answer(status, {{"error", std::move(e)}});
}

api_reply invalid(const std::string& field, const std::string& message) {
  return error(400, "invalid_input", message, {{"field", field}});
}

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

bool is_uuid(const std::string& s) {
  static const std::regex shape{"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                                "[0-9a-fA-F]{12}$"};
  return std::regex_match(s, shape);
}

std::string text_array(const json& items) {
  std::string out = "{";
  for (auto& i : items) {
    if (out.size() > 1)
      out += ',';
    out += '"';
    for (char c : i.get<std::string>()) {
      if (c == '"' || c == '\\')
        out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::optional<std::string> opt_text(const nlohmann::json& b, const char* key) {
  if (!b.contains(key) || b[key].is_null())
    return std::nullopt;
  return b[key].is_string() ? b[key].get<std::string>() : b[key].dump();
}

api_reply whole_list(const std::string& json_array) {
  auto items = json::parse(json_array);
  auto total = items.size();
  return answer(200,
                {{"items", std::move(items)}, {"total", total}, {"page", 1}, {"limit", total}});
}

} // namespace crm::storage::records
