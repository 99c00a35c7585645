#include "storage/message_repository.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/result>

#include <algorithm>
#include <set>

namespace crm::storage {

namespace {

using json = nlohmann::json;

constexpr auto lock_chats = "select 1 from chats where id = any($1::uuid[]) order by id for update";

// Inputs arrive as one JSON array (one parameter, no hand-made escaping); inserts run in
// key order so two concurrent batches take index locks in the same order. The planner
// guesses 100 rows for json_to_recordset: the `= any($2)` and the correlated lookups keep
// it on the indexes instead of scanning chats and messages.
constexpr auto append = R"sql(
with input as (
  select * from json_to_recordset($1::json) as x(
    idx int, chat_id uuid, number_id uuid, type text, body text, media text, details text,
    provider_id text, ts bigint)
), ins as (
  insert into messages (chat_id, number_id, direction, type, body, media, details, provider_id,
                        status, provider_timestamp)
  select chat_id, number_id, 'in', type, body, nullif(media, '')::jsonb,
         nullif(details, '')::jsonb, provider_id, 'received',
         case when ts > 0 then to_timestamp(ts) end
  from input order by number_id, provider_id
  on conflict (number_id, provider_id) do nothing
  returning id, chat_id, number_id, provider_id, created_at, provider_timestamp
), touched as (
  update chats c
     set unread = c.unread + s.n,
         last_message_at = greatest(c.last_message_at, s.last_at),
         last_inbound_at = greatest(c.last_inbound_at, s.last_sent)
    from (select chat_id, count(*) as n, max(created_at) as last_at,
                 max(coalesce(provider_timestamp, created_at)) as last_sent
            from ins group by chat_id) s
   where c.id = s.chat_id and c.id = any($2::uuid[])
  returning c.id
)
select i.idx,
       coalesce(ins.id, (select m.id from messages m
                          where m.number_id = i.number_id and m.provider_id = i.provider_id)),
       ins.id is null
  from input i
  left join ins on ins.number_id = i.number_id and ins.provider_id = i.provider_id
 order by i.idx
)sql";

// A duplicate committed by a concurrent batch is invisible to the statement above
// (its snapshot predates that commit); a fresh statement sees it.
constexpr auto find_id = "select id from messages where number_id = $1 and provider_id = $2";

constexpr auto record_statuses = R"sql(
with input as (
  select * from json_to_recordset($1::json) as x(
    number_id uuid, provider_id text, status text, ts bigint, recipient text, errors text)
), ins as (
  insert into message_statuses (number_id, provider_id, status, occurred_at, recipient, errors)
  select number_id, provider_id, status, to_timestamp(ts), nullif(recipient, ''),
         nullif(errors, '')::jsonb
    from input order by number_id, provider_id, status
  on conflict do nothing
  returning number_id, provider_id, status, occurred_at, errors
), best as (
  select distinct on (number_id, provider_id) *,
         (select m.id from messages m
           where m.number_id = ins.number_id and m.provider_id = ins.provider_id) as message_id
    from ins order by number_id, provider_id, message_status_rank(status) desc
)
update messages m
   set status = b.status, status_at = b.occurred_at,
       error = case when b.status = 'failed' then b.errors else m.error end
  from best b
 where m.id = b.message_id and m.id = any(array(select message_id from best))
   and m.direction = 'out' and message_status_rank(b.status) > message_status_rank(m.status)
)sql";

constexpr auto record_events = R"sql(
insert into provider_events (provider, number_key, kind, payload)
select provider, number_key, kind, payload::jsonb
  from json_to_recordset($1::json) as x(provider text, number_key text, kind text, payload text)
)sql";

// The chat's number sends it; the chat's clocks move (the agent answered, nothing unread).
constexpr auto append_outbound = R"sql(
with ins as (
  insert into messages (chat_id, number_id, direction, type, body, status, sent_by)
  select c.id, c.number_id, 'out', $2, $3, 'pending', nullif($4, '')::uuid
    from chats c where c.id = $1 and c.status <> 'closed'
  returning id, chat_id, created_at
), touched as (
  update chats c
     set last_message_at = ins.created_at, last_reply_at = ins.created_at,
         first_reply_at = coalesce(c.first_reply_at, ins.created_at), unread = 0
    from ins where c.id = ins.chat_id
  returning c.id
)
select id from ins
)sql";

constexpr auto message_json_sql = "select message_json(m) from messages m where m.id = $1";

// The provider's id arrives once; the status only moves forward.
constexpr auto record_send = R"sql(
update messages
   set provider_id = coalesce(nullif($2, ''), provider_id),
       status = case when message_status_rank($3) > message_status_rank(status) then $3
                     else status end,
       status_at = now(),
       error = case when $3 = 'failed' then nullif($4, '')::jsonb else error end
 where id = $1 and direction = 'out'
returning id
)sql";

std::string uuid_array(const write_batch& batch) {
  std::set<std::string> ids;
  for (auto& m : batch.messages)
    ids.insert(m.chat.value);
  std::string result = "{";
  for (auto& id : ids)
    result += (result.size() > 1 ? "," : "") + id;
  return result + "}";
}

write_batch_result write_messages(pqxx::transaction_base& txn, const write_batch& batch) {
  write_batch_result result;
  if (batch.messages.empty())
    return result;
  json rows = json::array();
  for (size_t i = 0; i < batch.messages.size(); ++i) {
    auto& a = batch.messages[i];
    rows.push_back({{"idx", i},
                    {"chat_id", a.chat.value},
                    {"number_id", a.number.value},
                    {"type", a.message.type},
                    {"body", a.message.text},
                    {"media", a.message.media},
                    {"details", a.message.details},
                    {"provider_id", a.message.provider_id},
                    {"ts", a.message.timestamp}});
  }
  auto chats = uuid_array(batch);
  txn.exec_prepared("message.lock_chats", chats);
  auto out = txn.exec_prepared("message.append", rows.dump(), chats);
  result.acks.resize(batch.messages.size());
  for (auto row : out) {
    auto idx = row[0].as<size_t>();
    auto& ack = result.acks.at(idx);
    ack.id.value = row[1].is_null() ? std::string{} : row[1].as<std::string>();
    ack.chat = batch.messages[idx].chat;
    ack.duplicate = row[2].as<bool>();
    if (ack.id.value.empty()) {
      auto& m = batch.messages[idx];
      auto again = txn.exec_prepared("message.find_id", m.number.value, m.message.provider_id);
      ack.id.value = again.at(0)[0].as<std::string>();
    }
  }
  return result;
}

void write_statuses(pqxx::transaction_base& txn, const write_batch& batch) {
  if (batch.statuses.empty())
    return;
  json rows = json::array();
  for (auto& s : batch.statuses)
    rows.push_back({{"number_id", s.number.value},
                    {"provider_id", s.status.provider_id},
                    {"status", s.status.status},
                    {"ts", s.status.timestamp},
                    {"recipient", s.status.recipient},
                    {"errors", s.status.errors}});
  txn.exec_prepared("message.record_statuses", rows.dump());
}

void write_events(pqxx::transaction_base& txn, const write_batch& batch) {
  if (batch.events.empty())
    return;
  json rows = json::array();
  for (auto& e : batch.events)
    rows.push_back({{"provider", e.provider},
                    {"number_key", e.number_key},
                    {"kind", e.kind},
                    {"payload", e.payload}});
  txn.exec_prepared("message.record_events", rows.dump());
}

} // namespace

void message_repository::prepare(pqxx::connection& conn) {
  conn.prepare("message.lock_chats", lock_chats);
  conn.prepare("message.append", append);
  conn.prepare("message.find_id", find_id);
  conn.prepare("message.record_statuses", record_statuses);
  conn.prepare("message.record_events", record_events);
  conn.prepare("message.append_outbound", append_outbound);
  conn.prepare("message.json", message_json_sql);
  conn.prepare("message.record_send", record_send);
}

std::optional<stored_message> message_repository::store_outbound(pqxx::transaction_base& txn,
                                                                 const outbound_message& m) {
  auto rows = txn.exec_prepared("message.append_outbound", m.chat.value, m.type, m.text, m.sent_by);
  if (rows.empty())
    return std::nullopt;
  stored_message result;
  result.id.value = rows[0][0].as<std::string>();
  result.json = txn.exec_prepared("message.json", result.id.value).at(0)[0].as<std::string>();
  return result;
}

bool message_repository::record_outcome(pqxx::transaction_base& txn, const send_outcome& o) {
  return !txn.exec_prepared("message.record_send", o.id.value, o.provider_id, o.status, o.error)
              .empty();
}

write_batch_result message_repository::write(pqxx::transaction_base& txn,
                                             const write_batch& batch) {
  auto result = write_messages(txn, batch);
  write_statuses(txn, batch);
  write_events(txn, batch);
  return result;
}

} // namespace crm::storage
