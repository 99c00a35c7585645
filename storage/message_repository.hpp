#pragma once

#include "actors/messages.hpp"

#include <pqxx/connection>
#include <pqxx/transaction_base>

#include <optional>
#include <vector>

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
  /// open; throws rule_error outside the 24-hour window unless it is a template.
  static std::optional<stored_message> store_outbound(pqxx::transaction_base& txn,
                                                      const outbound_message& m);

  /// Records the provider's answer to a send (with any status the provider reported
  /// earlier); nothing when there is no such outbound message.
  static std::optional<message_status_changed> record_outcome(pqxx::transaction_base& txn,
                                                              const send_outcome& o);

  /// Counts one send attempt before the request leaves; false when there is no such message.
  static bool count_attempt(pqxx::transaction_base& txn, const message_id& id);

  /// The pending outbound messages of a number, oldest first.
  static std::vector<outbound_job> outbox(pqxx::transaction_base& txn, const number_id& number);
};

} // namespace crm::storage
