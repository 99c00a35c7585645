#include "net/http_error.hpp"

#include <caf/atom.hpp>
#include <caf/sec.hpp>

namespace crm::net {

unsigned status_of(ec code) {
  switch (code) {
  case ec::none:
    return 200;
  case ec::invalid_input:
    return 400;
  case ec::unauthenticated:
    return 401;
  case ec::forbidden:
    return 403;
  case ec::not_found:
    return 404;
  case ec::conflict:
    return 409;
  case ec::duplicate:
    return 200;
  case ec::no_capacity:
    return 409;
  case ec::outside_contact_window:
    return 422;
  case ec::outside_service_window:
    return 422;
  case ec::rule_broken:
    return 422;
  case ec::provider_rejected:
    return 502;
  case ec::storage_unavailable:
    return 503;
  case ec::invalid_config:
    return 500;
  case ec::internal:
    return 500;
  }
  return 500;
}

std::string error_body(const std::string& code, const std::string& message,
                       const nlohmann::json& details) {
  nlohmann::json err = {{"code", code}, {"message", message}};
  if (!details.is_null())
    err["details"] = details;
  // Messages may quote the input (a parser's "last read" token): bytes that are not UTF-8
  // are replaced, never a reason to fail the answer.
  return nlohmann::json{{"error", err}}.dump(-1, ' ', false,
                                             nlohmann::json::error_handler_t::replace);
}

http_failure to_http(const caf::error& err) {
  if (auto code = code_of(err); code != ec::none) {
    auto msg = message_of(err);
    if (code == ec::internal || code == ec::invalid_config)
      msg = "internal error"; // details go to the log, not to clients
    if (code == ec::storage_unavailable)
      msg = "the database is unavailable; retry later";
    return {status_of(code), error_body(to_string(code), msg.empty() ? to_string(code) : msg)};
  }
  if (err.category() == caf::atom("system")) {
    auto sec = static_cast<caf::sec>(err.code());
    if (sec == caf::sec::request_timeout)
      return {503, error_body("timeout", "the request timed out; retry later")};
    if (sec == caf::sec::request_receiver_down)
      return {503, error_body("unavailable", "the service is restarting; retry later")};
  }
  return {500, error_body("internal", "internal error")};
}

} // namespace crm::net
