#pragma once

#include "actors/messages.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

// What the records workers (IDENTITY WORKER, CRM WORKER) and their repositories share:
// answers in the API's shape and small readers of JSON input.
namespace crm::storage::records {

/// An invalid field of a request body.
struct field_error {
  std::string field, message;
};

/// A JSON answer with its status (`access_changed`: users or roles changed).
api_reply answer(int status, const nlohmann::json& body, bool access_changed = false);

/// 200 with a list that is never paged (a debtor's promises, ...): `json_array` is the JSON
/// text of all the items.
api_reply whole_list(const std::string& json_array);

/// `{"error": {code, message, details?}}` with its status.
api_reply error(int status, const std::string& code, const std::string& message,
                nlohmann::json details = nullptr);

/// 400 invalid_input naming the field.
api_reply invalid(const std::string& field, const std::string& message);

/// The string at `key`, or empty when absent or not a string.
std::string str(const nlohmann::json& j, const char* key);

/// The value at `key` as text (strings as they are, other JSON dumped); nullopt when absent
/// or null (for SQL parameters that keep the stored value).
std::optional<std::string> opt_text(const nlohmann::json& b, const char* key);

/// True for a UUID in its text form.
bool is_uuid(const std::string& s);

/// A JSON list of strings as a PostgreSQL text[] literal (quotes and backslashes escaped).
std::string text_array(const nlohmann::json& items);

} // namespace crm::storage::records
