#pragma once

// What people do to a chat (send, assign, transfer, close, typing) and the away-agent
// re-queue rule: the CHAT's command handlers, apart from its inbound path.
#include "actors/chat.hpp"

namespace crm {

/// Runs a user's command on the chat; answers the chat (or the message) as stored.
caf::result<json_page> handle_command(actor_pointer<chat_actor, chat_state> self,
                                      chat_command& cmd);

/// Gives the chat back to the queue when its away agent has not replied for long enough;
/// answers the milliseconds left until it would (0: given back, or not the agent's).
caf::result<std::int64_t> handle_requeue_check(actor_pointer<chat_actor, chat_state> self,
                                               const requeue_check& check);

} // namespace crm
