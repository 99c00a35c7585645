#include "storage/pg.hpp"

#include "domain/error.hpp"

#include <pqxx/except>

#include <cctype>

namespace crm::storage {

std::string with_connect_timeout(const std::string& url, int seconds) {
  if (url.find("connect_timeout=") != std::string::npos)
    return url;
  auto sep = url.find('?') == std::string::npos ? '?' : '&';
  return url + sep + "connect_timeout=" + std::to_string(seconds);
}

std::string with_business_zone(const std::string& url, const std::string& zone) {
  if (zone.empty() || url.find("options=") != std::string::npos)
    return url;
  // libpq URLs take percent-encoded values: "-c crm.timezone=America/Bogota".
  std::string value = "-c%20crm.timezone%3D";
  for (char c : zone) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')
      value.push_back(c);
    else {
      static constexpr char hex[] = "0123456789ABCDEF";
      value += '%';
      value += hex[static_cast<unsigned char>(c) >> 4];
      value += hex[static_cast<unsigned char>(c) & 15];
    }
  }
  auto sep = url.find('?') == std::string::npos ? '?' : '&';
  return url + sep + "options=" + value;
}

bool connection_lost(const std::exception& e) {
  if (dynamic_cast<const pqxx::broken_connection*>(&e) ||
      dynamic_cast<const pqxx::in_doubt_error*>(&e))
    return true;
  if (auto sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    auto state = sql->sqlstate();
    // 08: connection exception; 57P0x: server shutting down.
    return state.rfind("08", 0) == 0 || state.rfind("57P0", 0) == 0;
  }
  return false;
}

namespace {

/// "debtor_id" -> "debtorId": the API's name of a column.
std::string camel(const std::string& column) {
  std::string out;
  bool up = false;
  for (char c : column) {
    if (c == '_') {
      up = true;
    } else {
      out.push_back(up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
      up = false;
    }
  }
  return out;
}

/// The text between `open` and `close` after `from` in `text`, or "".
std::string between(const std::string& text, const std::string& open, const std::string& close) {
  auto start = text.find(open);
  if (start == std::string::npos)
    return {};
  start += open.size();
  auto end = text.find(close, start);
  return end == std::string::npos ? std::string{} : text.substr(start, end - start);
}

/// What a client may read of a refused row: the field it named and why, never the SQL,
/// table or constraint names (they go to the log).
std::string input_message(const std::string& state, const std::string& what) {
  if (state == "23503") { // "Key (debtor_id)=(...) is not present in table "debtors"."
    auto column = between(what, "Key (", ")=");
    if (!column.empty() && what.find("is not present") != std::string::npos)
      return camel(column) + " refers to a record that does not exist";
    return "the record is still referred to by others";
  }
  if (state == "23502") { // null value in column "x" of relation "y" ...
    auto column = between(what, "column \"", "\"");
    return column.empty() ? "a required value is missing" : camel(column) + " is required";
  }
  if (state == "23514")
    return "a value is outside what is allowed";
  // Class 22, data exceptions: PostgreSQL's own first line names the value, not the query
  // ("invalid input syntax for type integer: \"1.5\"").
  auto line = what.substr(0, what.find('\n'));
  if (line.rfind("ERROR:", 0) == 0)
    line = line.substr(line.find_first_not_of(' ', 6));
  return "invalid value: " + line;
}

} // namespace

caf::error translate(const std::exception& e) {
  if (auto rule = dynamic_cast<const rule_error*>(&e))
    return make_error(rule->code, rule->what());
  if (connection_lost(e))
    return make_error(ec::storage_unavailable, e.what());
  if (auto sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    auto state = sql->sqlstate();
    // Retryable: serialization failures and lock timeouts, and the server out of resources
    // (class 53: disk full, out of memory, too many connections), shutting down or starting
    // (57P0x) or failing its I/O (class 58). The client is told 503 and comes back.
    if (state == "40001" || state == "40P01" || state == "55P03" || state.rfind("53", 0) == 0 ||
        state.rfind("57P0", 0) == 0 || state.rfind("58", 0) == 0)
      return make_error(ec::storage_unavailable, e.what());
    if (state == "23505")
      return make_error(ec::conflict, e.what());
    if (state.rfind("22", 0) == 0 || state == "23502" || state == "23503" || state == "23514")
      return make_error(ec::invalid_input, input_message(state, e.what()));
  }
  return make_error(ec::internal, e.what());
}

} // namespace crm::storage
