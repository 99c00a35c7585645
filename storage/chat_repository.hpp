#pragma once

#include "actors/messages.hpp"

#include <pqxx/connection>
#include <pqxx/transaction_base>

#include <optional>
#include <string>
#include <vector>

namespace crm::storage {

/// Chats: the open conversation of a (number, debtor phone), found or created.
class chat_repository {
 public:
  /// Prepares this repository's statements on a fresh connection.
  static void prepare(pqxx::connection& conn);

  /// Returns the open chat of each (number, phone), creating the missing ones linked to the
  /// debtor that has the phone (priority from its days overdue) and the number's campaign.
  /// A slot whose number does not exist comes back with an empty id.
  static std::vector<chat_snapshot> open_many(pqxx::transaction_base& txn,
                                              const std::vector<open_chat_request>& reqs);

  /// open_many for one chat; throws when the number does not exist.
  static chat_snapshot open(pqxx::transaction_base& txn, const open_chat_request& req);

  /// Gives an open chat to an agent (or back to the queue, for an empty agent) and records
  /// it in the assignments history. Answers the chat's API JSON; nothing when the chat is
  /// closed or unknown.
  static std::optional<std::string> assign(pqxx::transaction_base& txn, const chat_assignment& a);

  /// Closes an open chat with its outcome; a promise is recorded against the chat's debtor
  /// and the debtor's collection status follows the outcome. Nothing when not open.
  static std::optional<std::string> close(pqxx::transaction_base& txn, const chat_close& c);

  /// The API JSON of a chat, if it exists.
  static std::optional<std::string> json_of(pqxx::transaction_base& txn, const chat_id& chat);

  /// Every chat that is not closed (start-up).
  static std::vector<chat_snapshot> load_open(pqxx::transaction_base& txn);
};

} // namespace crm::storage
