#pragma once

#include "actors/messages.hpp"

#include <pqxx/connection>
#include <pqxx/transaction_base>

#include <vector>

namespace crm::storage {

/// WhatsApp numbers as the inbound path needs them: provider key -> our number.
class number_repository {
 public:
  static void prepare(pqxx::connection& conn);

  /// Meta routes by phone_number_id; WPPConnect webhooks carry our number id.
  static number_info lookup(pqxx::transaction_base& txn, const number_lookup& req);

  /// Every number (start-up: one NUMBER actor each).
  static std::vector<number_profile> load_all(pqxx::transaction_base& txn);
};

} // namespace crm::storage
