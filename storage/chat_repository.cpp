#include "storage/chat_repository.hpp"

#include "domain/priority.hpp"

#include <pqxx/result>

#include <optional>

namespace crm::storage {

namespace {

constexpr auto columns = "id, number_id, debtor_phone, coalesce(debtor_id::text, ''),"
                         " coalesce(campaign_id::text, ''), status, priority,"
                         " coalesce(agent_id::text, ''), unread";

const std::string find_open = std::string{"select "} + columns +
                              " from chats where number_id = $1 and debtor_phone = $2"
                              " and status <> 'closed'";

constexpr auto find_debtor = "select d.id, d.days_overdue from debtor_phones p"
                             " join debtors d on d.id = p.debtor_id"
                             " where p.phone = $1 order by p.is_primary desc, d.created_at"
                             " limit 1";

// ON CONFLICT on the partial unique index: a concurrent creator wins, we re-read.
const std::string create = std::string{"insert into chats (number_id, debtor_phone, debtor_id,"
                                       " campaign_id, contact_name, status, priority, queued_at)"
                                       " select $1, $2, nullif($3, '')::uuid, n.campaign_id, $4,"
                                       " 'queued', $5, now() from whatsapp_numbers n"
                                       " where n.id = $1"
                                       " on conflict (number_id, debtor_phone)"
                                       " where status <> 'closed' do nothing returning "} +
                           columns;

const std::string load_all =
    std::string{"select "} + columns + " from chats where status <> 'closed'";

chat_snapshot to_snapshot(const pqxx::row& r) {
  chat_snapshot s;
  s.id.value = r[0].as<std::string>();
  s.number.value = r[1].as<std::string>();
  s.debtor_phone = r[2].as<std::string>();
  s.debtor_id = r[3].as<std::string>();
  s.campaign_id = r[4].as<std::string>();
  s.status = r[5].as<std::string>();
  s.priority = r[6].as<std::string>();
  s.agent_id = r[7].as<std::string>();
  s.unread = r[8].as<std::int64_t>();
  return s;
}

} // namespace

void chat_repository::prepare(pqxx::connection& conn) {
  conn.prepare("chat.find_open", find_open);
  conn.prepare("chat.find_debtor", find_debtor);
  conn.prepare("chat.create", create);
  conn.prepare("chat.load_open", load_all);
}

chat_snapshot chat_repository::open(pqxx::transaction_base& txn, const open_chat_request& req) {
  if (auto r = txn.exec_prepared("chat.find_open", req.number.value, req.phone); !r.empty())
    return to_snapshot(r[0]);
  std::string debtor_id;
  std::optional<int> days;
  if (auto d = txn.exec_prepared("chat.find_debtor", req.phone); !d.empty()) {
    debtor_id = d[0][0].as<std::string>();
    days = d[0][1].as<int>();
  }
  auto prio = std::string{to_string(priority_for(days))};
  auto created = txn.exec_prepared("chat.create", req.number.value, req.phone, debtor_id,
                                   req.contact_name, prio);
  if (!created.empty())
    return to_snapshot(created[0]);
  auto again = txn.exec_prepared("chat.find_open", req.number.value, req.phone);
  if (again.empty())
    throw pqxx::usage_error("chat for unknown number " + req.number.value);
  return to_snapshot(again[0]);
}

std::vector<chat_snapshot> chat_repository::load_open(pqxx::transaction_base& txn) {
  std::vector<chat_snapshot> result;
  auto rows = txn.exec_prepared("chat.load_open");
  result.reserve(rows.size());
  for (auto row : rows)
    result.push_back(to_snapshot(row));
  return result;
}

} // namespace crm::storage
