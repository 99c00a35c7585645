#pragma once

#include "actors/messages.hpp"

#include <pqxx/connection>
#include <pqxx/transaction_base>

#include <optional>
#include <string>
#include <vector>

namespace crm::storage {

/// WhatsApp numbers as the inbound path needs them: provider key -> our number.
class number_repository {
 public:
  static void prepare(pqxx::connection& conn);

  /// Meta routes by phone_number_id; WPPConnect webhooks carry our number id.
  static number_info lookup(pqxx::transaction_base& txn, const number_lookup& req);

  /// Every active number (start-up: one NUMBER actor each).
  static std::vector<number_profile> load_all(pqxx::transaction_base& txn);

  /// Creates, updates or deactivates a number; nothing when the number is not there.
  static std::optional<number_saved> change(pqxx::transaction_base& txn, const number_change& c);

  /// Records a number's connection state; false when there is no such number.
  static bool record_health(pqxx::transaction_base& txn, const number_health& h);

  /// The API JSON of every active number (empty id) or of one.
  static json_page read(pqxx::transaction_base& txn, const std::string& id);
};

} // namespace crm::storage
