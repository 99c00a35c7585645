#pragma once

#include "actors/messages.hpp"

#include <pqxx/connection>
#include <pqxx/transaction_base>

namespace crm::storage {

/// The API's reads, shaped as JSON by PostgreSQL itself (chat_json, message_json).
class read_repository {
 public:
  static void prepare(pqxx::connection& conn);
  static json_page chats(pqxx::transaction_base& txn, const chat_query& q);
  static json_page messages(pqxx::transaction_base& txn, const message_query& q);
  static media_ref media(pqxx::transaction_base& txn, const media_query& q);
};

} // namespace crm::storage
