#pragma once

#include "actors/messages.hpp"

#include <pqxx/connection>
#include <pqxx/transaction_base>

#include <optional>

namespace crm::storage {

/// Messages, their provider statuses and raw provider events: the group-committed writes.
class message_repository {
 public:
  static void prepare(pqxx::connection& conn);

  /// Writes a whole batch inside `txn` (the caller commits). Messages are deduped on
  /// (number, provider id); a duplicate's ack carries the id stored first. Chats touched
  /// are locked in id order first, so concurrent batches cannot deadlock on them.
  static write_batch_result write(pqxx::transaction_base& txn, const write_batch& batch);

  /// Stores an outbound message as pending on its open chat; nothing when the chat is not
  /// open.
  static std::optional<stored_message> store_outbound(pqxx::transaction_base& txn,
                                                      const outbound_message& m);

  /// Records the provider's answer to a send; false when there is no such outbound message.
  static bool record_outcome(pqxx::transaction_base& txn, const send_outcome& o);
};

} // namespace crm::storage
