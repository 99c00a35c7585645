#pragma once

#include "actors/atoms.hpp"
#include "actors/transport.hpp"
#include "domain/error.hpp"
#include "domain/message.hpp"

#include <caf/meta/type_name.hpp>
#include <caf/type_id.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace crm {

// -- ids ----------------------------------------------------------------------

/// Our UUID of a WhatsApp number (whatsapp_numbers.id).
struct number_id {
  std::string value;
  friend bool operator==(const number_id&, const number_id&) = default;
};

/// Our UUID of a chat.
struct chat_id {
  std::string value;
  friend bool operator==(const chat_id&, const chat_id&) = default;
};

/// Our UUID of a stored message.
struct message_id {
  std::string value;
  friend bool operator==(const message_id&, const message_id&) = default;
};

// -- inbound path -------------------------------------------------------------

/// One provider change as net/ parsed it: the number it arrived on (Meta's
/// phone_number_id, or our number id for WPPConnect) and what it carried.
struct webhook_change {
  std::string number_key;
  std::vector<inbound_message> messages;
  std::vector<status_update> statuses;
  /// JSON the provider sent about its own errors (stored, never dropped), or empty.
  std::string errors;
};

/// A whole verified webhook POST, handed from net/ to a GATEWAY.
struct webhook_batch {
  std::string provider; // "meta" | "wppconnect"
  std::vector<webhook_change> changes;
  /// WPPConnect: the token the caller presented (checked against the number's own).
  std::string token;
};

/// Asks which of our numbers a provider key names.
struct number_lookup {
  std::string provider;
  std::string number_key;
};

/// A number as its NUMBER actor starts from.
struct number_profile {
  number_id id;
  std::string provider; // meta | wppconnect
  std::string phone;    // E.164
  std::string campaign_id;
  std::string meta_phone_number_id;
  std::string credentials; // sealed (domain/secrets), or empty
  int rate_per_second = 80;
  std::string wppconnect_base_url;
  std::string wppconnect_session;
};

/// POST/PATCH/DELETE /whatsapp/numbers: `fields` holds the validated columns to set
/// (credentials already sealed) as a JSON object.
struct number_change {
  std::string kind; // create | update | delete
  number_id id;     // update, delete
  std::string fields;
};

/// A NUMBER's connection state as its sends show it: `connected` after a send the provider
/// took, `error` (with the provider's words) when it refuses the number itself or cannot
/// be reached.
struct number_health {
  number_id id;
  std::string status;
  std::string last_error;
};

/// GET /whatsapp/numbers (empty id) or /whatsapp/numbers/{id}.
struct number_query {
  std::string id;
};

/// A number as stored after a change: what its NUMBER runs from, and its API JSON.
struct number_saved {
  number_profile profile;
  std::string json;
  bool active = true;
};

/// The answer to number_lookup; `found` is false for a number we do not have.
struct number_info {
  bool found = false;
  number_id id;
  std::string campaign_id; // empty when the number has no campaign
  std::string credentials; // WPPConnect: sealed, to check a webhook's token
};

/// An inbound message routed to its number (REGISTRY -> CHAT).
struct inbound_envelope {
  number_id number;
  inbound_message message;
};

/// The durable outcome of one inbound message.
struct inbound_ack {
  message_id id;
  chat_id chat;
  bool duplicate = false;
};

/// A message to append to a chat (CHAT -> storage, group-committed).
struct append_message {
  chat_id chat;
  number_id number;
  inbound_message message;
};

/// A provider status to record and apply monotonically (group-committed).
struct status_event {
  number_id number;
  status_update status;
};

/// Provider traffic we cannot route or that reports provider errors: stored as it came.
struct provider_event {
  std::string provider;
  std::string number_key;
  std::string kind;    // "unrouted" | "error"
  std::string payload; // JSON
};

/// Finds the open chat of (number, phone) or creates it, linked to the debtor by phone.
struct open_chat_request {
  number_id number;
  std::string phone;
  std::string contact_name;
  /// "bot": a chat we open (outreach) starts with the bot, waiting for the debtor; empty:
  /// the bot when the number's campaign has a flow, else the queue.
  std::string status;
};

/// A proactive contact already reserved under the contact rules: opens (or reuses) the chat
/// of (number, phone) and sends the template in it (-> REGISTRY).
struct outreach_request {
  number_id number;
  std::string phone;
  std::string template_json; // {name, language, components}
  std::string by_user;       // empty for a campaign send
};

/// What a CHAT needs to start: the chat row as stored.
struct chat_snapshot {
  chat_id id;
  number_id number;
  std::string debtor_phone;
  std::string debtor_id;   // empty when no debtor has this phone
  std::string campaign_id; // empty when none
  std::string status;      // bot | queued | assigned | closed
  std::string priority;    // URGENTE | ALTA | MEDIA | BAJA
  std::string agent_id;    // empty when unassigned
  std::int64_t unread = 0;
  std::int64_t queued_at_ms = 0;     // when it started waiting for an agent (unix ms)
  std::int64_t assigned_at_ms = 0;   // when its agent got it (unix ms), 0 when none
  std::int64_t last_reply_at_ms = 0; // its last outbound message (unix ms), 0 when none
};

// -- agents and dispatching ------------------------------------------------------

/// Our UUID of a user working as an agent.
struct agent_id {
  std::string value;
  friend bool operator==(const agent_id&, const agent_id&) = default;
};

/// An agent as stored: what its AGENT actor starts from.
struct agent_profile {
  agent_id id;
  std::string status; // available | busy | break | offline
  int capacity = 5;   // maxConcurrentChats
  std::vector<std::string> skills;
  std::vector<std::string> campaigns;
  std::vector<std::string> open_chats; // chat ids assigned and not closed
};

/// A campaign's routing settings, as the DISPATCHER needs them.
struct campaign_routing {
  std::string campaign_id;
  std::string strategy; // round_robin | least_busy | skills_based
  std::vector<std::string> required_skills;
  int max_chats_per_agent = 0; // 0: no campaign cap
};

/// The DISPATCHER offers a chat to an AGENT.
struct chat_offer {
  chat_id chat;
  std::string campaign_id;
  /// A person's decision (assign, transfer): any status but offline, any campaign; the
  /// capacity still holds.
  bool manual = false;
};

/// An AGENT's load and eligibility, sent to the DISPATCHER on every change.
struct agent_load {
  agent_id id;
  std::string status;
  int open_chats = 0;
  int capacity = 0;
  std::vector<std::string> skills;
  std::vector<std::string> campaigns;
  std::int64_t idle_since_ms = 0; // unix ms when its load last went down
};

/// A chat that needs an agent (CHAT or REGISTRY -> DISPATCHER).
struct chat_waiting {
  chat_id chat;
  std::string campaign_id;
  std::string priority; // URGENTE | ALTA | MEDIA | BAJA
  std::int64_t queued_at_ms = 0;
  std::vector<std::string> required_skills;
};

/// The DISPATCHER's decision: the agent accepted the chat (-> REGISTRY -> CHAT).
struct chat_assigned {
  chat_id chat;
  agent_id agent;
};

/// Records who holds a chat now (assignment history + the chat row), in one transaction.
struct chat_assignment {
  chat_id chat;
  agent_id agent;
  std::string previous_agent; // empty when it came from the queue
  std::string kind;           // assign | transfer | unassign | requeue
  std::string reason;
  std::string by_user; // empty for the DISPATCHER
};

/// An agent's new status, to record (users.status and the time-in-status log).
struct agent_status_event {
  agent_id agent;
  std::string status;
};

/// Asks for a user's status to change (REST or WebSocket -> GATEWAY -> AGENT).
struct user_status_request {
  std::string user_id;
  std::string status;
};

/// Asks an AGENT to change its status.
struct status_change {
  std::string status;
};

/// Replaces an AGENT's capacity, skills and campaigns (user management); joining a
/// campaign or gaining capacity makes the DISPATCHER look at the queue again.
struct agent_update {
  int capacity = 5;
  std::vector<std::string> skills;
  std::vector<std::string> campaigns;
};

/// AGENT -> REGISTRY -> CHAT while the agent is away: give the chat back to the queue when
/// the agent has not replied in it for `idle_ms`. Answered with the milliseconds left until
/// it would be (0: given back, or no longer the agent's).
struct requeue_check {
  chat_id chat;
  agent_id agent;
  std::int64_t idle_ms = 0;
};

// -- what people do to a chat -------------------------------------------------------------

/// A user's command on one chat (REST or WebSocket -> GATEWAY -> REGISTRY -> CHAT),
/// answered with the chat or message as stored (JSON).
struct chat_command {
  chat_id chat;
  std::string kind; // send | assign | transfer | close | typing
  std::string by_user;
  std::string by_role;
  std::string agent;   // assign, transfer: the target; empty: back to the queue
  std::string reason;  // assign, transfer
  std::string outcome; // close
  std::string promise; // close: {"amount", "dueDate"} as JSON, or empty
  std::string type;    // send: text | template
  std::string text;    // send: the text
  std::string details; // send: a template's {name, language, components} as JSON
};

/// An outbound message to store as `pending` (CHAT -> storage).
struct outbound_message {
  chat_id chat;
  std::string type;
  std::string text;
  std::string sent_by; // user id
  std::string details; // template: {name, language, components} as JSON
};

/// A stored message: its id and its API JSON.
struct stored_message {
  message_id id;
  std::string json;
};

/// A stored outbound message in its NUMBER's queue (from a CHAT, or the outbox at start).
struct outbound_job {
  message_id id;
  chat_id chat;
  number_id number;
  std::string to; // E.164
  std::string type;
  std::string text;
  std::string details; // template: {name, language, components} as JSON
  int attempts = 0;    // provider attempts made (a retry comes back with more)
};

/// A provider's answer to one send, as net/ classified it.
struct provider_reply {
  message_id id;
  int http_status = 0; // 0: no answer
  std::string provider_id;
  std::string error_code; // the provider's own code (e.g. "131047"), or ours
  std::string error_text;
  bool retriable = false; // the provider did not take it: sending again is safe
};

/// A stored message's status moved (a send's outcome, a provider status): pushed by its
/// CHAT as `message.status`.
struct message_status_changed {
  chat_id chat;
  message_id id;
  std::string status;
  std::string provider_id;
  std::string error; // JSON, or empty
  number_id number;  // with provider_id: which provider status it answers
};

/// The provider's answer to a send, to record on the message (monotonic status).
struct send_outcome {
  message_id id;
  std::string provider_id; // empty when it failed
  std::string status;      // sent | failed
  std::string error;       // JSON {code, message} when failed
};

/// Closes a chat with an outcome (and a payment promise), in one transaction.
struct chat_close {
  chat_id chat;
  std::string outcome;
  std::string promise; // {"amount", "dueDate"} as JSON, or empty
  std::string by_user;
};

// -- reads for the API -----------------------------------------------------------------

/// GET /chats and GET /chats/{id}: filters, paging, and the viewer's row-level limit.
struct chat_query {
  std::string chat_id; // one chat (then the list filters are ignored)
  std::string status, agent_id, campaign_id, priority;
  std::string only_agent; // non-empty: an agent sees only its own chats
  std::int64_t page = 1, limit = 50;
};

/// GET /chats/{id}/messages.
struct message_query {
  std::string chat_id;
  std::string only_agent;
  std::int64_t page = 1, limit = 50;
};

/// GET /messages/{id}/media: the message must be visible to the viewer.
struct media_query {
  std::string message_id;
  std::string only_agent; // non-empty: an agent reaches only its own chats' media
};

/// Where a message's media lives at its provider.
struct media_ref {
  bool found = false;
  number_id number;
  std::string provider_id; // the message's own id (WPPConnect fetches media by it)
  std::string media_id;    // Meta's media id
  std::string mime;
  std::string filename;
};

/// An API answer built by the database: the JSON body and, for lists, the total.
struct json_page {
  std::string items; // JSON array (or the object, for one resource)
  std::int64_t total = 0;
  bool found = true;
};

// -- identity, access and audit ----------------------------------------------------

/// Who makes a request, and from where (for the audit log and throttling).
struct client_info {
  std::string user_id; // empty before login
  std::string role;
  std::string ip;
  std::string user_agent;
};

/// A records operation, already parsed by net/ and answered by a records worker (the
/// IDENTITY WORKER, the CRM WORKER): `op` names it ("login", "users.update",
/// "debtors.import", ...); `id` the resource; `body` a JSON object (request body or
/// filters), or the raw text for CSV imports.
struct api_request {
  std::string op;
  std::string id;
  std::string body;
  client_info by;
};

/// The answer to a records operation, in HTTP terms.
struct api_reply {
  int status = 200;
  std::string body;             // JSON (or CSV, with content_type)
  std::string content_type;     // empty: application/json
  std::int64_t retry_after = 0; // seconds, with 429
  bool access_changed = false;  // users or roles changed: the access table must be rebuilt
};

/// One user as access checks see it.
struct access_user {
  std::string id;
  std::string role;
  std::int64_t ver = 0;
  bool active = true;
};

/// One role's permissions.
struct role_grants {
  std::string name;
  std::vector<std::string> permissions;
};

/// Every user and role, for the access table.
struct access_rows {
  std::vector<access_user> users;
  std::vector<role_grants> roles;
};

/// One audit row (hash-chained when stored). `before`/`after` are JSON or empty.
struct audit_entry {
  std::string user_id, role, action, entity, entity_id, before, after, ip, user_agent;
};

// -- live events -------------------------------------------------------------------

/// Who is behind a WebSocket session.
struct ws_user {
  std::string user_id;
  std::string role;
};

/// An event for browsers: `{"event": name, "data": data}` to the agent's room (when set),
/// to the supervisors' room (when `supervisors`) and to the chat's room (when set).
struct ws_event {
  std::string name;
  std::string data; // JSON object
  std::string agent_id;
  bool supervisors = true;
  std::string chat_id;
};

/// What a storage worker commits in one transaction.
struct write_batch {
  std::vector<open_chat_request> opens;
  std::vector<append_message> messages;
  std::vector<status_event> statuses;
  std::vector<provider_event> events;
  std::vector<message_id> attempts;   // sends about to leave
  std::vector<send_outcome> outcomes; // providers' answers
  std::vector<audit_entry> audits;
  /// Rows in the batch.
  std::size_t size() const {
    return opens.size() + messages.size() + statuses.size() + events.size() + attempts.size() +
           outcomes.size() + audits.size();
  }
};

/// One chat per open (an empty id: its number does not exist) and one ack per message,
/// in batch order.
struct write_batch_result {
  std::vector<chat_snapshot> chats;
  std::vector<inbound_ack> acks;
  /// Messages whose status the batch's provider statuses moved.
  std::vector<message_status_changed> changed;
  /// Whether each attempt's message exists, in batch order.
  std::vector<bool> attempted;
  /// Each outcome's message afterwards, in batch order (an empty id: no such message).
  std::vector<message_status_changed> recorded;
};

// -- inspect (CAF 0.17) ---------------------------------------------------------

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, number_id& x) {
  return f(caf::meta::type_name("number_id"), x.value);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, chat_id& x) {
  return f(caf::meta::type_name("chat_id"), x.value);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, message_id& x) {
  return f(caf::meta::type_name("message_id"), x.value);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, inbound_message& x) {
  return f(caf::meta::type_name("inbound_message"), x.provider_id, x.from, x.contact_name, x.type,
           x.text, x.media, x.details, x.timestamp);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, status_update& x) {
  return f(caf::meta::type_name("status_update"), x.provider_id, x.status, x.recipient, x.timestamp,
           x.errors);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, webhook_change& x) {
  return f(caf::meta::type_name("webhook_change"), x.number_key, x.messages, x.statuses, x.errors);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, webhook_batch& x) {
  return f(caf::meta::type_name("webhook_batch"), x.provider, x.changes, x.token);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, number_lookup& x) {
  return f(caf::meta::type_name("number_lookup"), x.provider, x.number_key);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, number_profile& x) {
  return f(caf::meta::type_name("number_profile"), x.id, x.provider, x.phone, x.campaign_id,
           x.meta_phone_number_id, x.credentials, x.rate_per_second, x.wppconnect_base_url,
           x.wppconnect_session);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, number_change& x) {
  return f(caf::meta::type_name("number_change"), x.kind, x.id, x.fields);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, number_health& x) {
  return f(caf::meta::type_name("number_health"), x.id, x.status, x.last_error);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, client_info& x) {
  return f(caf::meta::type_name("client_info"), x.user_id, x.role, x.ip, x.user_agent);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, api_request& x) {
  return f(caf::meta::type_name("api_request"), x.op, x.id, x.body, x.by);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, api_reply& x) {
  return f(caf::meta::type_name("api_reply"), x.status, x.body, x.content_type, x.retry_after,
           x.access_changed);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, access_user& x) {
  return f(caf::meta::type_name("access_user"), x.id, x.role, x.ver, x.active);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, role_grants& x) {
  return f(caf::meta::type_name("role_grants"), x.name, x.permissions);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, access_rows& x) {
  return f(caf::meta::type_name("access_rows"), x.users, x.roles);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, audit_entry& x) {
  return f(caf::meta::type_name("audit_entry"), x.user_id, x.role, x.action, x.entity, x.entity_id,
           x.before, x.after, x.ip, x.user_agent);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, media_query& x) {
  return f(caf::meta::type_name("media_query"), x.message_id, x.only_agent);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, media_ref& x) {
  return f(caf::meta::type_name("media_ref"), x.found, x.number, x.provider_id, x.media_id, x.mime,
           x.filename);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, number_query& x) {
  return f(caf::meta::type_name("number_query"), x.id);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, number_saved& x) {
  return f(caf::meta::type_name("number_saved"), x.profile, x.json, x.active);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, number_info& x) {
  return f(caf::meta::type_name("number_info"), x.found, x.id, x.campaign_id, x.credentials);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, inbound_envelope& x) {
  return f(caf::meta::type_name("inbound_envelope"), x.number, x.message);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, inbound_ack& x) {
  return f(caf::meta::type_name("inbound_ack"), x.id, x.chat, x.duplicate);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, append_message& x) {
  return f(caf::meta::type_name("append_message"), x.chat, x.number, x.message);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, status_event& x) {
  return f(caf::meta::type_name("status_event"), x.number, x.status);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, provider_event& x) {
  return f(caf::meta::type_name("provider_event"), x.provider, x.number_key, x.kind, x.payload);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, write_batch& x) {
  return f(caf::meta::type_name("write_batch"), x.opens, x.messages, x.statuses, x.events,
           x.attempts, x.outcomes, x.audits);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, write_batch_result& x) {
  return f(caf::meta::type_name("write_batch_result"), x.chats, x.acks, x.changed, x.attempted,
           x.recorded);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, open_chat_request& x) {
  return f(caf::meta::type_name("open_chat_request"), x.number, x.phone, x.contact_name, x.status);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, outreach_request& x) {
  return f(caf::meta::type_name("outreach_request"), x.number, x.phone, x.template_json, x.by_user);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, chat_snapshot& x) {
  return f(caf::meta::type_name("chat_snapshot"), x.id, x.number, x.debtor_phone, x.debtor_id,
           x.campaign_id, x.status, x.priority, x.agent_id, x.unread, x.queued_at_ms,
           x.assigned_at_ms, x.last_reply_at_ms);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_id& x) {
  return f(caf::meta::type_name("agent_id"), x.value);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_profile& x) {
  return f(caf::meta::type_name("agent_profile"), x.id, x.status, x.capacity, x.skills, x.campaigns,
           x.open_chats);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, campaign_routing& x) {
  return f(caf::meta::type_name("campaign_routing"), x.campaign_id, x.strategy, x.required_skills,
           x.max_chats_per_agent);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, chat_offer& x) {
  return f(caf::meta::type_name("chat_offer"), x.chat, x.campaign_id, x.manual);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_load& x) {
  return f(caf::meta::type_name("agent_load"), x.id, x.status, x.open_chats, x.capacity, x.skills,
           x.campaigns, x.idle_since_ms);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, chat_waiting& x) {
  return f(caf::meta::type_name("chat_waiting"), x.chat, x.campaign_id, x.priority, x.queued_at_ms,
           x.required_skills);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, chat_assigned& x) {
  return f(caf::meta::type_name("chat_assigned"), x.chat, x.agent);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, chat_assignment& x) {
  return f(caf::meta::type_name("chat_assignment"), x.chat, x.agent, x.previous_agent, x.kind,
           x.reason, x.by_user);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, chat_query& x) {
  return f(caf::meta::type_name("chat_query"), x.chat_id, x.status, x.agent_id, x.campaign_id,
           x.priority, x.only_agent, x.page, x.limit);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, message_query& x) {
  return f(caf::meta::type_name("message_query"), x.chat_id, x.only_agent, x.page, x.limit);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, json_page& x) {
  return f(caf::meta::type_name("json_page"), x.items, x.total, x.found);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ws_user& x) {
  return f(caf::meta::type_name("ws_user"), x.user_id, x.role);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ws_event& x) {
  return f(caf::meta::type_name("ws_event"), x.name, x.data, x.agent_id, x.supervisors, x.chat_id);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_status_event& x) {
  return f(caf::meta::type_name("agent_status_event"), x.agent, x.status);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, user_status_request& x) {
  return f(caf::meta::type_name("user_status_request"), x.user_id, x.status);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, status_change& x) {
  return f(caf::meta::type_name("status_change"), x.status);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_update& x) {
  return f(caf::meta::type_name("agent_update"), x.capacity, x.skills, x.campaigns);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, requeue_check& x) {
  return f(caf::meta::type_name("requeue_check"), x.chat, x.agent, x.idle_ms);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, chat_command& x) {
  return f(caf::meta::type_name("chat_command"), x.chat, x.kind, x.by_user, x.by_role, x.agent,
           x.reason, x.outcome, x.promise, x.type, x.text, x.details);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, outbound_message& x) {
  return f(caf::meta::type_name("outbound_message"), x.chat, x.type, x.text, x.sent_by, x.details);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stored_message& x) {
  return f(caf::meta::type_name("stored_message"), x.id, x.json);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, outbound_job& x) {
  return f(caf::meta::type_name("outbound_job"), x.id, x.chat, x.number, x.to, x.type, x.text,
           x.details, x.attempts);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, provider_reply& x) {
  return f(caf::meta::type_name("provider_reply"), x.id, x.http_status, x.provider_id, x.error_code,
           x.error_text, x.retriable);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, message_status_changed& x) {
  return f(caf::meta::type_name("message_status_changed"), x.chat, x.id, x.status, x.provider_id,
           x.error, x.number);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, send_outcome& x) {
  return f(caf::meta::type_name("send_outcome"), x.id, x.provider_id, x.status, x.error);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, chat_close& x) {
  return f(caf::meta::type_name("chat_close"), x.chat, x.outcome, x.promise, x.by_user);
}

} // namespace crm

// clang-format off
CAF_BEGIN_TYPE_ID_BLOCK(crm, caf::first_custom_type_id)
  CAF_ADD_TYPE_ID(crm, (crm::number_id))
  CAF_ADD_TYPE_ID(crm, (crm::chat_id))
  CAF_ADD_TYPE_ID(crm, (crm::message_id))
  CAF_ADD_TYPE_ID(crm, (crm::inbound_message))
  CAF_ADD_TYPE_ID(crm, (crm::status_update))
  CAF_ADD_TYPE_ID(crm, (crm::webhook_change))
  CAF_ADD_TYPE_ID(crm, (crm::webhook_batch))
  CAF_ADD_TYPE_ID(crm, (crm::number_lookup))
  CAF_ADD_TYPE_ID(crm, (crm::number_info))
  CAF_ADD_TYPE_ID(crm, (crm::inbound_envelope))
  CAF_ADD_TYPE_ID(crm, (crm::inbound_ack))
  CAF_ADD_TYPE_ID(crm, (crm::append_message))
  CAF_ADD_TYPE_ID(crm, (crm::status_event))
  CAF_ADD_TYPE_ID(crm, (crm::provider_event))
  CAF_ADD_TYPE_ID(crm, (crm::write_batch))
  CAF_ADD_TYPE_ID(crm, (crm::write_batch_result))
  CAF_ADD_TYPE_ID(crm, (crm::open_chat_request))
  CAF_ADD_TYPE_ID(crm, (crm::outreach_request))
  CAF_ADD_TYPE_ID(crm, (crm::chat_snapshot))
  CAF_ADD_TYPE_ID(crm, (std::vector<crm::chat_snapshot>))
  CAF_ADD_TYPE_ID(crm, (crm::agent_id))
  CAF_ADD_TYPE_ID(crm, (crm::agent_profile))
  CAF_ADD_TYPE_ID(crm, (std::vector<crm::agent_profile>))
  CAF_ADD_TYPE_ID(crm, (crm::campaign_routing))
  CAF_ADD_TYPE_ID(crm, (std::vector<crm::campaign_routing>))
  CAF_ADD_TYPE_ID(crm, (crm::chat_offer))
  CAF_ADD_TYPE_ID(crm, (crm::agent_load))
  CAF_ADD_TYPE_ID(crm, (crm::chat_waiting))
  CAF_ADD_TYPE_ID(crm, (std::vector<crm::chat_waiting>))
  CAF_ADD_TYPE_ID(crm, (crm::chat_assigned))
  CAF_ADD_TYPE_ID(crm, (crm::status_change))
  CAF_ADD_TYPE_ID(crm, (crm::chat_assignment))
  CAF_ADD_TYPE_ID(crm, (crm::agent_status_event))
  CAF_ADD_TYPE_ID(crm, (crm::user_status_request))
    CAF_ADD_TYPE_ID(crm, (crm::ws_user))
  CAF_ADD_TYPE_ID(crm, (crm::chat_query))
  CAF_ADD_TYPE_ID(crm, (crm::message_query))
  CAF_ADD_TYPE_ID(crm, (crm::json_page))
  CAF_ADD_TYPE_ID(crm, (crm::ws_event))
  CAF_ADD_TYPE_ID(crm, (crm::agent_update))
  CAF_ADD_TYPE_ID(crm, (crm::requeue_check))
  CAF_ADD_TYPE_ID(crm, (crm::chat_command))
  CAF_ADD_TYPE_ID(crm, (crm::outbound_message))
  CAF_ADD_TYPE_ID(crm, (crm::stored_message))
  CAF_ADD_TYPE_ID(crm, (crm::outbound_job))
  CAF_ADD_TYPE_ID(crm, (std::vector<crm::outbound_job>))
  CAF_ADD_TYPE_ID(crm, (crm::provider_reply))
  CAF_ADD_TYPE_ID(crm, (crm::message_status_changed))
  CAF_ADD_TYPE_ID(crm, (std::vector<crm::message_status_changed>))
  CAF_ADD_TYPE_ID(crm, (crm::send_outcome))
  CAF_ADD_TYPE_ID(crm, (crm::chat_close))
  CAF_ADD_TYPE_ID(crm, (crm::number_profile))
  CAF_ADD_TYPE_ID(crm, (std::vector<crm::number_profile>))
  CAF_ADD_TYPE_ID(crm, (crm::number_change))
  CAF_ADD_TYPE_ID(crm, (crm::number_saved))
  CAF_ADD_TYPE_ID(crm, (crm::number_query))
  CAF_ADD_TYPE_ID(crm, (crm::number_health))
  CAF_ADD_TYPE_ID(crm, (crm::media_query))
  CAF_ADD_TYPE_ID(crm, (crm::media_ref))
  CAF_ADD_TYPE_ID(crm, (crm::client_info))
  CAF_ADD_TYPE_ID(crm, (crm::api_request))
  CAF_ADD_TYPE_ID(crm, (crm::api_reply))
  CAF_ADD_TYPE_ID(crm, (crm::access_user))
  CAF_ADD_TYPE_ID(crm, (crm::role_grants))
  CAF_ADD_TYPE_ID(crm, (crm::access_rows))
  CAF_ADD_TYPE_ID(crm, (crm::audit_entry))
CAF_END_TYPE_ID_BLOCK(crm)
// clang-format on
