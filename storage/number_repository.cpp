#include "storage/number_repository.hpp"

#include <pqxx/result>

namespace crm::storage {

namespace {

constexpr auto by_meta_id = "select id, coalesce(campaign_id::text, '') from whatsapp_numbers"
                            " where provider = 'meta' and meta_phone_number_id = $1";

// A malformed id must read as "not found", not as an SQL error.
constexpr auto by_id = "select id, coalesce(campaign_id::text, '') from whatsapp_numbers"
                       " where provider = 'wppconnect' and id::text = $1";

constexpr auto all =
    "select id, provider, phone_number, coalesce(campaign_id::text, ''),"
    " coalesce(meta_phone_number_id, ''), coalesce(convert_from(credentials, 'UTF8'), ''),"
    " rate_limit_per_second from whatsapp_numbers order by created_at";

} // namespace

void number_repository::prepare(pqxx::connection& conn) {
  conn.prepare("number.by_meta_id", by_meta_id);
  conn.prepare("number.by_id", by_id);
  conn.prepare("number.all", all);
}

std::vector<number_profile> number_repository::load_all(pqxx::transaction_base& txn) {
  std::vector<number_profile> result;
  for (auto row : txn.exec_prepared("number.all"))
    result.push_back({number_id{row[0].as<std::string>()}, row[1].as<std::string>(),
                      row[2].as<std::string>(), row[3].as<std::string>(), row[4].as<std::string>(),
                      row[5].as<std::string>(), row[6].as<int>()});
  return result;
}

number_info number_repository::lookup(pqxx::transaction_base& txn, const number_lookup& req) {
  auto rows = req.provider == "meta" ? txn.exec_prepared("number.by_meta_id", req.number_key)
                                     : txn.exec_prepared("number.by_id", req.number_key);
  number_info result;
  if (rows.empty())
    return result;
  result.found = true;
  result.id.value = rows[0][0].as<std::string>();
  result.campaign_id = rows[0][1].as<std::string>();
  return result;
}

} // namespace crm::storage
