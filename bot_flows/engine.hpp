#pragma once

// The collection bot: a flow is JSON (validated on save), a session is where one chat stands
// in it, and `step` is a pure function from (flow, session, context, event) to effects the
// CHAT carries out. No actors, no I/O, no clock: time comes in with the event.
//
// Flow document:
//   {"name": "...", "start": "<node id>", "nodes": [ {"id": "...", "type": "...", ...}, ... ]}
// Node types (PRODUCT.md's seven):
//   message   {text, next}                         sends text, goes on at once
//   menu      {text, options: [{key, label, next}], invalid?, maxRetries?, timeoutSeconds?,
//              timeout?}                           asks, waits for a choice (key, or label
//                                                  text, case/accent-insensitive)
//   input     {text, variable, validate: "date"|"amount"|"document"|"text"|"media", next,
//              invalid?, maxRetries?, timeoutSeconds?, timeout?, errorText?}
//   condition {variable, operator: eq|ne|gt|gte|lt|lte|contains|exists, value?, then, else}
//   action    {action: "promise"|"status"|"task"|"tag", params: {...}, next}
//   wait      {text?, timeoutSeconds, next, timeout} waits for any answer; silence -> timeout
//   transfer  {text?, skill?, priority?}           hands the chat to the queue
//   end       {text?}                              the bot is done, the chat closes
// Texts and action params may use {{variable}}; variables are the context's (clientName,
// debtAmount, daysOverdue, priority, ...) and those captured by input nodes.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace crm::bot {

/// One reason a flow is refused, naming the node (empty for the whole flow) and field.
struct flow_error {
  std::string node;
  std::string field;
  std::string message;
};

/// Every problem of a flow: malformed nodes, unknown types, duplicate ids, references to
/// missing nodes, menus without options or a branch, conditions without then/else, waits
/// without a timeout branch, nodes unreachable from `start`, {{variables}} that neither the
/// context nor an input node defines, flows where no path reaches transfer or end.
/// Empty when the flow is valid.
std::vector<flow_error> validate(const nlohmann::json& flow);

/// The variables every context provides (clientName, debtAmount, daysOverdue, priority,
/// currency, documentNumber, collectionStatus, today).
const std::vector<std::string>& context_variables();

/// Where one chat stands in its flow; stored as JSON between steps (and across restarts).
struct session {
  std::string node;             // the node waiting for an answer; empty: not started
  std::int64_t deadline_ms = 0; // when silence takes the node's timeout branch; 0: none
  int retries = 0;              // invalid answers at `node`
  bool finished = false;        // transfer or end reached
  nlohmann::json vars = nlohmann::json::object(); // captured inputs

  nlohmann::json to_json() const;
  static session from_json(const nlohmann::json& j); // tolerant: bad input -> fresh session
};

/// What happened to the chat.
struct event {
  enum class kind { start, message, timeout };
  kind what = kind::message;
  std::string text;          // message: the debtor's text (or a caption)
  std::string type = "text"; // message: text | image | document | audio | ... | interactive
  std::int64_t now_ms = 0;   // unix ms; deadlines are now_ms + timeoutSeconds * 1000
};

/// What the CHAT must do, in order.
struct effect {
  enum class kind { send, action, transfer, end };
  kind what = kind::send;
  std::string text;      // send: the rendered text; transfer/end: empty (sent before as send)
  std::string action;    // action: promise | status | task | tag
  nlohmann::json params; // action: rendered params (promise: {amount, dueDate}; status:
                         //   {collectionStatus}; task: {title, dueInMinutes?}; tag: {tag})
  std::string skill;     // transfer
  std::string priority;  // transfer: URGENTE | ALTA | MEDIA | BAJA, or empty
};

/// Moves `s` through `flow` on `e` until the bot needs an answer or is done, and returns
/// the effects. `context` holds the debtor's variables (strings or numbers). A timeout event
/// whose deadline has not passed, or any event after `finished`, returns nothing. An invalid
/// answer re-asks (up to maxRetries, default 2) and then takes `invalid` if given, else the
/// flow transfers to an agent. A flow that loops through more than 50 nodes without waiting
/// transfers to an agent (a guard, validated flows do not do it).
std::vector<effect> step(const nlohmann::json& flow, session& s, const nlohmann::json& context,
                         const event& e);

/// The shipped Spanish collection flow (bot_flows/flows/default_es.json, embedded).
const nlohmann::json& default_flow();

/// Parses what a debtor typed as a date (dd/mm/yyyy, d/m/yy, yyyy-mm-dd, dd-mm-yyyy,
/// "hoy", "mañana") relative to `today` (yyyy-mm-dd); returns yyyy-mm-dd, or empty.
std::string parse_date(const std::string& text, const std::string& today);

/// Parses an amount as Colombians write it ("150000", "150.000", "$ 150.000,50",
/// "150,000.50"); returns a plain decimal like "150000.50", or empty when not an amount > 0.
std::string parse_amount(const std::string& text);

} // namespace crm::bot
