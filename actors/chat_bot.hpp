#pragma once

// The bot runner of a CHAT: while the chat's status is "bot", the debtor's messages and the
// flow's timers go through the pure engine (bot_flows/), and its effects are carried out in
// order: texts sent through the chat's number, actions and the session saved by the CRM
// WORKER in one transaction, then the handoff to the queue or the end of the chat.
#include "actors/chat.hpp"

namespace crm {

/// At spawn of a chat in bot mode: loads the flow and session, re-arms a pending timer.
void bot_start(actor_pointer<chat_actor, chat_state> self);

/// A durable inbound message of a chat in bot mode.
void bot_message(actor_pointer<chat_actor, chat_state> self, const inbound_message& m);

/// A bot timer fired for the wait with this deadline.
void bot_timer(actor_pointer<chat_actor, chat_state> self, std::int64_t deadline_ms);

/// The debtor asked to stop collection messages: confirms once, and a chat still with the
/// bot closes (outcome refused); the agent of an assigned chat is told.
void handle_opt_out(actor_pointer<chat_actor, chat_state> self);

/// A debtor waits for an agent: outside the campaign's business hours they are told when the
/// team opens (CRM_AFTER_HOURS_REPLY), once in 12 hours.
void tell_if_after_hours(actor_pointer<chat_actor, chat_state> self);

} // namespace crm
