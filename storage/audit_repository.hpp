#pragma once

#include "actors/messages.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/transaction_base>

namespace crm::storage {

/// The audit log: appended through audit_append() (hash chain), read and verified.
class audit_repository {
 public:
  /// Appends one row inside the caller's transaction.
  static void append(pqxx::transaction_base& txn, const audit_entry& e);

  /// A page of rows, newest first; filters: user, action, entity, from, to, page, limit.
  static nlohmann::json list(pqxx::transaction_base& txn, const nlohmann::json& filters);

  /// Recomputes the chain: {valid, checked, firstBrokenId}.
  static nlohmann::json verify(pqxx::transaction_base& txn);
};

} // namespace crm::storage
