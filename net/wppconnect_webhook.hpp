#pragma once

#include "domain/error.hpp"
#include "domain/message.hpp"

#include <nlohmann/json.hpp>

#include <string_view>
#include <vector>

namespace crm::net {

/// What one WPPConnect server event carried: a message (`onmessage`), a status (`onack`),
/// or nothing we keep (presence, QR, connection events; group chats; our own echoes).
struct wppconnect_event {
  std::string event;
  std::vector<inbound_message> messages;
  std::vector<status_update> statuses;
};

/// Parses a WPPConnect webhook body (flat JSON `{event, session, ...}`); errors are
/// ec::invalid_input with a message naming what is wrong.
expected<wppconnect_event> parse_wppconnect_webhook(std::string_view body);

/// A WPPConnect message id: a string, or {_serialized, ...}, or {id: ...} (send answers).
std::string wppconnect_id(const nlohmann::json& j);

/// WPPConnect's ack code as our status: negative failed, 1 sent, 2 delivered, 3 read,
/// 4 played; empty for 0 (still on the phone) and unknown codes.
std::string wppconnect_ack_status(long ack);

} // namespace crm::net
