#pragma once

#include "actors/messages.hpp"
#include "domain/contact_rules.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace crm::net {

/// Why a command's input was refused: the field and what is wrong with it.
struct input_error {
  std::string field;
  std::string message;
};

/// Reads a chat command of `kind` (send, assign, transfer, close, typing) from a REST
/// body or a WebSocket action's data into `cmd`; the same rules serve both doors.
std::optional<input_error> read_chat_command(const std::string& kind, const nlohmann::json& body,
                                             chat_command& cmd);

/// True for a canonical UUID string.
bool is_uuid(const std::string& s);

/// The forbidden phrase a send's text contains (Ley 2300: never ask the debtor why they did
/// not pay), or empty.
std::string forbidden_question(const chat_command& cmd, const contact::settings* rules);

} // namespace crm::net
