#include "domain/error.hpp"

#include <caf/atom.hpp>
#include <caf/make_message.hpp>

namespace crm {

const char* to_string(ec code) {
  switch (code) {
  case ec::none:
    return "none";
  case ec::invalid_input:
    return "invalid_input";
  case ec::unauthenticated:
    return "unauthenticated";
  case ec::forbidden:
    return "forbidden";
  case ec::not_found:
    return "not_found";
  case ec::conflict:
    return "conflict";
  case ec::duplicate:
    return "duplicate";
  case ec::no_capacity:
    return "no_capacity";
  case ec::outside_contact_window:
    return "outside_contact_window";
  case ec::outside_service_window:
    return "outside_service_window";
  case ec::rule_broken:
    return "rule_broken";
  case ec::provider_rejected:
    return "provider_rejected";
  case ec::storage_unavailable:
    return "storage_unavailable";
  case ec::invalid_config:
    return "invalid_config";
  case ec::internal:
    return "internal";
  }
  return "unknown";
}

caf::error make_error(ec code) {
  return caf::error{static_cast<uint8_t>(code), caf::atom(error_category)};
}

caf::error make_error(ec code, std::string message) {
  return caf::error{static_cast<uint8_t>(code), caf::atom(error_category),
                    caf::make_message(std::move(message))};
}

ec code_of(const caf::error& err) {
  if (!err || err.category() != caf::atom(error_category))
    return ec::none;
  return static_cast<ec>(err.code());
}

std::string message_of(const caf::error& err) {
  const auto& ctx = err.context();
  if (ctx.size() == 1 && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  return {};
}

} // namespace crm
