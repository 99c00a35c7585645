#pragma once

#include "actors/messages.hpp"
#include "storage/crm_worker.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/transaction_base>

#include <string>

// The operations of the CRM WORKER, one file per aggregate. Each takes the request and its
// parsed JSON body (an object) and answers in the API's shape.
namespace crm::storage::crm_ops {

/// debtors.{list,export,get,create,update,delete}, debtors.promises.*, debtors.payments.*
api_reply debtors(crm_worker_state& st, const api_request& req, const nlohmann::json& body);

/// debtors.import: a CSV body, up to 100,000 rows, in one transaction.
api_reply import_debtors(crm_worker_state& st, const std::string& csv);

/// A debtor with its promises as the API shows it, if `by` may see it; null otherwise.
nlohmann::json visible_debtor(pqxx::transaction_base& txn, const std::string& id,
                              const client_info& by);

/// tasks.{list,create,update,delete,sweep,reminded}
api_reply tasks(crm_worker_state& st, const api_request& req, const nlohmann::json& body);

/// quick-replies.{list,render,create,update,delete}
api_reply quick_replies(crm_worker_state& st, const api_request& req, const nlohmann::json& body);

/// campaigns.{list,get,create,update,delete}; changes answer with `access_changed`.
api_reply campaigns(crm_worker_state& st, const api_request& req, const nlohmann::json& body);

/// bot-flows.{list,get,create,update,delete,validate}
api_reply bot_flows(crm_worker_state& st, const api_request& req, const nlohmann::json& body);

/// Puts the shipped flow in bot_flows as the default when no default exists.
void put_default_flow(pqxx::transaction_base& txn);

/// debtors.notes.{list,create}
api_reply debtor_notes(crm_worker_state& st, const api_request& req, const nlohmann::json& body);

/// debtors.privacy.{export,erase}: habeas data (Ley 1581 de 2012), audited.
api_reply debtor_privacy(crm_worker_state& st, const api_request& req, const nlohmann::json& body);

/// contacts.{reserve,link,list,opt_out}: proactive contacts under the contact rules.
api_reply contacts(crm_worker_state& st, const api_request& req, const nlohmann::json& body);

/// outbound.{start,list,get,cancel,next}: outbound campaign runs.
api_reply outbound(crm_worker_state& st, const api_request& req, const nlohmann::json& body);

/// bot.{context,apply}: a chat's bot flow, debtor variables and session; the bot's actions.
api_reply bot_sessions(crm_worker_state& st, const api_request& req, const nlohmann::json& body);

/// reports.{agents,overview}: supervisors' reports (?format=csv as CSV).
api_reply reports(crm_worker_state& st, const api_request& req, const nlohmann::json& filters);

} // namespace crm::storage::crm_ops
