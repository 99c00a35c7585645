#pragma once

#include "domain/error.hpp"
#include "domain/message.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace crm::net {

/// One `entry[].changes[].value` of a Meta webhook, routed by phone_number_id.
struct meta_change {
  std::string phone_number_id;
  std::string display_phone_number;
  std::vector<inbound_message> messages;
  std::vector<status_update> statuses;
  /// The change's `value` object re-serialised, kept only when Meta reported `errors`
  /// (so they are stored, never dropped).
  std::string errors;
};

/// A whole Meta webhook POST: every change of every entry, in order.
struct meta_webhook {
  std::vector<meta_change> changes;
  size_t message_count() const;
  size_t status_count() const;
};

/// Verifies `X-Hub-Signature-256: sha256=<hex>` against HMAC-SHA256(app_secret, raw_body),
/// comparing in constant time. False for a missing/malformed header or an empty secret.
bool verify_meta_signature(std::string_view app_secret, std::string_view raw_body,
                           std::string_view header);

/// Parses a Meta webhook body. ec::invalid_input (with a message naming the bad field)
/// when the JSON is malformed or the shape is wrong; unknown message types become
/// `unsupported` with their raw JSON in `details`, never an error.
expected<meta_webhook> parse_meta_webhook(std::string_view raw_body);

} // namespace crm::net
