#pragma once

#include "actors/messages.hpp"

#include <pqxx/connection>
#include <pqxx/transaction_base>

namespace crm::storage {

/// Messages, their provider statuses and raw provider events: the group-committed writes.
class message_repository {
 public:
  static void prepare(pqxx::connection& conn);

  /// Writes a whole batch inside `txn` (the caller commits). Messages are deduped on
  /// (number, provider id); a duplicate's ack carries the id stored first. Chats touched
  /// are locked in id order first, so concurrent batches cannot deadlock on them.
  static write_batch_result write(pqxx::transaction_base& txn, const write_batch& batch);
};

} // namespace crm::storage
