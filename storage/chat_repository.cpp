#include "storage/chat_repository.hpp"

#include "domain/priority.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/except>
#include <pqxx/result>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace crm::storage {

namespace {

using json = nlohmann::json;

std::string columns(const std::string& t) {
  return t + "id, " + t + "number_id, " + t + "debtor_phone, coalesce(" + t +
         "debtor_id::text, ''), coalesce(" + t + "campaign_id::text, ''), " + t + "status, " + t +
         "priority, coalesce(" + t + "agent_id::text, ''), " + t + "unread, coalesce((extract(" +
         "epoch from " + t + "queued_at) * 1000)::bigint, 0), coalesce((extract(epoch from " + t +
         "assigned_at) * 1000)::bigint, 0), coalesce((extract(epoch from " + t +
         "last_reply_at) * 1000)::bigint, 0)";
}

// The chat row and its history change together; the previous agent is read from the row.
// An empty agent gives the chat back to the queue.
constexpr auto assign_sql = R"sql(
with before as (
  select id, agent_id from chats where id = $1 and status <> 'closed' for update
), updated as (
  update chats c
     set status = case when $2 = '' then 'queued' else 'assigned' end,
         agent_id = nullif($2, '')::uuid,
         queued_at = case when $2 = '' then now() else c.queued_at end,
         assigned_at = case when $2 = '' then null
                            when c.agent_id is distinct from nullif($2, '')::uuid then now()
                            else c.assigned_at end
    from before b where c.id = b.id
  returning c.id
)
insert into assignments (chat_id, agent_id, previous_agent_id, kind, reason, by_user_id)
select b.id, nullif($2, '')::uuid, b.agent_id, $3, $4, nullif($5, '')::uuid
  from before b join updated u on u.id = b.id
returning id
)sql";

constexpr auto chat_json_sql = "select chat_json(c) from chats c where c.id = $1";

constexpr auto close_sql = R"sql(
update chats set status = 'closed', closed_at = now(), outcome = $2, unread = 0
 where id = $1 and status <> 'closed'
returning coalesce(debtor_id::text, '')
)sql";

constexpr auto promise_sql = R"sql(
insert into payment_promises (debtor_id, chat_id, amount, due_date, created_by)
values ($1::uuid, $2::uuid, $3::numeric, $4::date, nullif($5, '')::uuid)
)sql";

// The outcome moves the debtor's collection status forward (never back from paid or legal).
constexpr auto debtor_status_sql = R"sql(
update debtors set collection_status = $2, updated_at = now()
 where id = $1::uuid and collection_status not in ('paid', 'legal')
)sql";

// Every statement takes the whole batch as one JSON parameter: three round trips open any
// number of chats.
// Lateral lookups keep the planner on the indexes (it guesses 100 input rows).
const std::string find_open =
    "select x.idx, " + columns("c.") +
    " from json_to_recordset($1::json) as x(idx int, number_id uuid, phone text)"
    " cross join lateral (select * from chats o where o.number_id = x.number_id"
    " and o.debtor_phone = x.phone and o.status <> 'closed') c";

constexpr auto find_debtors =
    "select x.phone, d.id, d.days"
    " from (select distinct value as phone from json_array_elements_text($1::json)) x"
    " cross join lateral (select d.id, debtor_days(d) as days from debtor_phones p"
    " join debtors d on d.id = p.debtor_id where p.phone = x.phone"
    " order by p.is_primary desc, d.created_at limit 1) d";

// ON CONFLICT on the partial unique index: a concurrent creator wins and we re-read. A chat
// starts with the bot when its campaign has a flow (or we opened it), else in the queue.
const std::string create =
    "insert into chats (number_id, debtor_phone, debtor_id, campaign_id, contact_name, status,"
    " priority, queued_at)"
    " select x.number_id, x.phone, x.debtor_id, n.campaign_id, x.name, s.status, x.priority,"
    " case when s.status = 'queued' then now() end"
    " from json_to_recordset($1::json) as x(number_id uuid, phone text, debtor_id uuid,"
    " name text, priority text, status text)"
    " join whatsapp_numbers n on n.id = x.number_id"
    " left join campaigns c on c.id = n.campaign_id and c.is_active"
    " cross join lateral (select case when x.status = 'bot' or c.bot_flow_id is not null"
    " then 'bot' else 'queued' end as status) s"
    " order by x.number_id, x.phone"
    " on conflict (number_id, debtor_phone) where status <> 'closed' do nothing returning " +
    columns("");

const std::string load_all = "select " + columns("") + " from chats where status <> 'closed'";

chat_snapshot to_snapshot(const pqxx::row& r, int first = 0) {
  chat_snapshot s;
  s.id.value = r[first].as<std::string>();
  s.number.value = r[first + 1].as<std::string>();
  s.debtor_phone = r[first + 2].as<std::string>();
  s.debtor_id = r[first + 3].as<std::string>();
  s.campaign_id = r[first + 4].as<std::string>();
  s.status = r[first + 5].as<std::string>();
  s.priority = r[first + 6].as<std::string>();
  s.agent_id = r[first + 7].as<std::string>();
  s.unread = r[first + 8].as<std::int64_t>();
  s.queued_at_ms = r[first + 9].as<std::int64_t>();
  s.assigned_at_ms = r[first + 10].as<std::int64_t>();
  s.last_reply_at_ms = r[first + 11].as<std::int64_t>();
  return s;
}

std::string key_of(const std::string& number, const std::string& phone) {
  return number + "|" + phone;
}

/// Fills the result slots whose chat is open now; returns how many are still empty.
size_t find_existing(pqxx::transaction_base& txn, const std::vector<open_chat_request>& reqs,
                     std::vector<chat_snapshot>& result) {
  json input = json::array();
  for (size_t i = 0; i < reqs.size(); ++i)
    if (result[i].id.value.empty())
      input.push_back({{"idx", i}, {"number_id", reqs[i].number.value}, {"phone", reqs[i].phone}});
  if (input.empty())
    return 0;
  for (auto row : txn.exec_prepared("chat.find_open", input.dump()))
    result.at(row[0].as<size_t>()) = to_snapshot(row, 1);
  return static_cast<size_t>(
      std::count_if(result.begin(), result.end(), [](auto& s) { return s.id.value.empty(); }));
}

/// The debtor owning each phone, with its days overdue (the priority rule stays in domain/).
std::map<std::string, std::pair<std::string, int>>
find_debtors_of(pqxx::transaction_base& txn, const std::vector<open_chat_request>& reqs,
                const std::vector<chat_snapshot>& result) {
  json phones = json::array();
  for (size_t i = 0; i < reqs.size(); ++i)
    if (result[i].id.value.empty())
      phones.push_back(reqs[i].phone);
  std::map<std::string, std::pair<std::string, int>> found;
  for (auto row : txn.exec_prepared("chat.find_debtors", phones.dump()))
    found[row[0].as<std::string>()] = {row[1].as<std::string>(), row[2].as<int>()};
  return found;
}

void create_missing(pqxx::transaction_base& txn, const std::vector<open_chat_request>& reqs,
                    std::vector<chat_snapshot>& result) {
  auto debtors = find_debtors_of(txn, reqs, result);
  json rows = json::array();
  std::set<std::string> keys;
  for (size_t i = 0; i < reqs.size(); ++i) {
    auto& r = reqs[i];
    if (!result[i].id.value.empty() || !keys.insert(key_of(r.number.value, r.phone)).second)
      continue;
    auto d = debtors.find(r.phone);
    auto days = d == debtors.end() ? std::nullopt : std::optional<int>{d->second.second};
    rows.push_back({{"number_id", r.number.value},
                    {"phone", r.phone},
                    {"debtor_id", d == debtors.end() ? json(nullptr) : json(d->second.first)},
                    {"name", r.contact_name},
                    {"status", r.status},
                    {"priority", std::string{to_string(priority_for(days))}}});
  }
  std::map<std::string, chat_snapshot> created;
  for (auto row : txn.exec_prepared("chat.create", rows.dump())) {
    auto snap = to_snapshot(row);
    created[key_of(snap.number.value, snap.debtor_phone)] = std::move(snap);
  }
  for (size_t i = 0; i < reqs.size(); ++i)
    if (auto it = created.find(key_of(reqs[i].number.value, reqs[i].phone)); it != created.end())
      result[i] = it->second;
}

} // namespace

void chat_repository::prepare(pqxx::connection& conn) {
  conn.prepare("chat.find_open", find_open);
  conn.prepare("chat.find_debtors", find_debtors);
  conn.prepare("chat.create", create);
  conn.prepare("chat.load_open", load_all);
  conn.prepare("chat.assign", assign_sql);
  conn.prepare("chat.json", chat_json_sql);
  conn.prepare("chat.close", close_sql);
  conn.prepare("chat.promise", promise_sql);
  conn.prepare("chat.debtor_status", debtor_status_sql);
}

std::vector<chat_snapshot> chat_repository::open_many(pqxx::transaction_base& txn,
                                                      const std::vector<open_chat_request>& reqs) {
  std::vector<chat_snapshot> result(reqs.size());
  if (reqs.empty() || find_existing(txn, reqs, result) == 0)
    return result;
  create_missing(txn, reqs, result);
  // Slots still empty lost a race to a concurrent creator (re-read them) or name a number
  // that no longer exists (they stay empty).
  find_existing(txn, reqs, result);
  return result;
}

std::optional<std::string> chat_repository::json_of(pqxx::transaction_base& txn,
                                                    const chat_id& chat) {
  auto rows = txn.exec_prepared("chat.json", chat.value);
  if (rows.empty())
    return std::nullopt;
  return rows[0][0].as<std::string>();
}

std::optional<std::string> chat_repository::assign(pqxx::transaction_base& txn,
                                                   const chat_assignment& a) {
  if (txn.exec_prepared("chat.assign", a.chat.value, a.agent.value, a.kind, a.reason, a.by_user)
          .empty())
    return std::nullopt;
  return json_of(txn, a.chat);
}

std::optional<std::string> chat_repository::close(pqxx::transaction_base& txn,
                                                  const chat_close& c) {
  auto rows = txn.exec_prepared("chat.close", c.chat.value, c.outcome);
  if (rows.empty())
    return std::nullopt;
  auto debtor = rows[0][0].as<std::string>();
  if (!debtor.empty()) {
    if (!c.promise.empty()) {
      auto promise = json::parse(c.promise);
      txn.exec_prepared("chat.promise", debtor, c.chat.value, promise.at("amount").dump(),
                        promise.at("dueDate").get<std::string>(), c.by_user);
    }
    if (c.outcome == "promise" || c.outcome == "paid")
      txn.exec_prepared("chat.debtor_status", debtor, c.outcome);
  }
  return json_of(txn, c.chat);
}

chat_snapshot chat_repository::open(pqxx::transaction_base& txn, const open_chat_request& req) {
  auto result = open_many(txn, {req});
  if (result[0].id.value.empty())
    throw pqxx::usage_error("no WhatsApp number " + req.number.value);
  return result[0];
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
