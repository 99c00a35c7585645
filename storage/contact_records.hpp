#pragma once

#include "actors/messages.hpp"
#include "domain/contact_rules.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/transaction_base>

#include <string>
#include <variant>
#include <vector>

// The reservation of proactive contacts (the CRM WORKER's contacts.* and outbound.* use it).
namespace crm::storage {

/// A proactive contact someone wants to make.
struct contact_ask {
  std::string debtor;
  std::string kind;     // campaign | agent
  std::string number;   // empty: chosen here
  std::string campaign; // empty for an agent's contact outside a campaign
  std::string run;
  std::string by_user;
  std::string template_json;
};

/// A contact let through: the attempt row written, the number and phone to use.
struct reservation {
  std::string attempt;
  std::string number;
  std::string phone;
};

/// The contact rules for a campaign (its windows narrow the global ones).
struct contact_policy_for {
  contact::policy rules;
};
contact_policy_for policy_of(pqxx::transaction_base& txn, const contact::settings& s,
                             const std::string& campaign);

/// The contacts that count against a debtor in the eight days before `now` (with
/// `two_way_only`, only those the debtor answered).
std::vector<contact::past_contact> past_contacts(pqxx::transaction_base& txn,
                                                 const std::string& debtor, contact::seconds now,
                                                 bool two_way_only);

/// Checks the debtor and the rules and writes the attempt, or answers why not: 404, or 422
/// `contact_not_allowed` with `details: {rule, nextAllowedAt?}`.
std::variant<reservation, api_reply> reserve(pqxx::transaction_base& txn,
                                             const contact::settings& s, const contact_ask& ask);

/// Records what became of an attempt: `{attemptId, chatId, messageId, status, error?}`.
void link_attempt(pqxx::transaction_base& txn, const nlohmann::json& body);

} // namespace crm::storage
