#pragma once

#include "actors/messages.hpp"

#include <pqxx/connection>
#include <pqxx/transaction_base>

#include <vector>

namespace crm::storage {

/// Agents and campaigns as the DISPATCHER and the AGENT actors start from them.
class agent_repository {
 public:
  static void prepare(pqxx::connection& conn);

  /// Active users with the agent role, their campaigns and the chats they hold.
  static std::vector<agent_profile> load_agents(pqxx::transaction_base& txn);

  /// Sets the agent's status and starts a new stretch in the time-in-status log (closing
  /// the open one). Returns false for an unknown user.
  static bool record_status(pqxx::transaction_base& txn, const agent_status_event& ev);

  /// Every active campaign's strategy and required skills.
  static std::vector<campaign_routing> load_campaigns(pqxx::transaction_base& txn);
};

} // namespace crm::storage
