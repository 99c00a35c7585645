#include "storage/message_repository.hpp"

#include "storage/pg.hpp"

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
returning m.id, m.chat_id, m.status, coalesce(m.provider_id, ''), coalesce(m.error::text, ''),
          m.number_id
)sql";

constexpr auto record_events = R"sql(
insert into provider_events (provider, number_key, kind, payload)
select provider, number_key, kind, payload::jsonb
  from json_to_recordset($1::json) as x(provider text, number_key text, kind text, payload text)
)sql";

// The chat's number sends it; a person's message moves the chat's clocks (the agent answered,
// nothing unread); the bot's and the system's do not.
// Free-form messages only inside WhatsApp's 24 hours since the debtor's last message.
constexpr auto append_outbound = R"sql(
with c as (
  select id, number_id,
         coalesce(last_inbound_at > now() - interval '24 hours', false) as in_window
    from chats where id = $1 and status <> 'closed'
), ins as (
  insert into messages (chat_id, number_id, direction, type, body, details, status, sent_by)
  select c.id, c.number_id, 'out', $2, $3, nullif($5, '')::jsonb, 'pending',
         nullif($4, '')::uuid
    from c where c.in_window or $2 = 'template'
  returning id, chat_id, created_at
), touched as (
  update chats c
     set last_message_at = ins.created_at,
         last_reply_at = case when $4 <> '' then ins.created_at else c.last_reply_at end,
         first_reply_at = case when $4 <> '' then coalesce(c.first_reply_at, ins.created_at)
                               else c.first_reply_at end,
         unread = case when $4 <> '' then 0 else c.unread end
    from ins where c.id = ins.chat_id
  returning c.id
)
select (select count(*) from c), (select id from ins)
)sql";

constexpr auto message_json_sql = "select message_json(m) from messages m where m.id = $1";

// The provider's id arrives once; the status only moves forward, also to a status the
// provider reported before its answer to the send reached us.
constexpr auto record_send = R"sql(
with early as (
  select s.status from messages m
    join message_statuses s on s.number_id = m.number_id and s.provider_id = $2
   where m.id = $1 and $2 <> ''
   order by message_status_rank(s.status) desc limit 1
), target as (
  select case when message_status_rank(coalesce((select status from early), '')) >
                   message_status_rank($3) then (select status from early) else $3 end as status
)
update messages m
   set provider_id = coalesce(nullif($2, ''), m.provider_id),
       status = case when message_status_rank(t.status) > message_status_rank(m.status)
                     then t.status else m.status end,
       status_at = now(),
       error = case when t.status = 'failed' then nullif($4, '')::jsonb else m.error end
  from target t
 where m.id = $1 and m.direction = 'out'
returning m.chat_id, m.status, coalesce(m.provider_id, ''), coalesce(m.error::text, ''),
          m.number_id
)sql";

constexpr auto count_attempt_sql =
    "update messages set send_attempts = send_attempts + 1 where id = $1 and direction = 'out'"
    " returning id";

// The outbox of one number: what is still pending, oldest first.
constexpr auto load_outbox = R"sql(
select m.id, m.chat_id, c.debtor_phone, m.type, m.body, coalesce(m.details::text, ''),
       m.send_attempts
  from messages m join chats c on c.id = m.chat_id
 where m.number_id = $1 and m.direction = 'out' and m.status = 'pending'
 order by m.created_at
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

void write_statuses(pqxx::transaction_base& txn, const write_batch& batch,
                    std::vector<message_status_changed>& changed) {
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
  for (auto row : txn.exec_prepared("message.record_statuses", rows.dump())) {
    message_status_changed c;
    c.id.value = row[0].as<std::string>();
    c.chat.value = row[1].as<std::string>();
    c.status = row[2].as<std::string>();
    c.provider_id = row[3].as<std::string>();
    c.error = row[4].as<std::string>();
    c.number.value = row[5].as<std::string>();
    changed.push_back(std::move(c));
  }
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
  conn.prepare("message.count_attempt", count_attempt_sql);
  conn.prepare("message.load_outbox", load_outbox);
}

std::optional<stored_message> message_repository::store_outbound(pqxx::transaction_base& txn,
                                                                 const outbound_message& m) {
  auto rows = txn.exec_prepared("message.append_outbound", m.chat.value, m.type, m.text, m.sent_by,
                                m.details);
  if (rows[0][0].as<long>() == 0)
    return std::nullopt;
  if (rows[0][1].is_null())
    throw rule_error(ec::outside_service_window,
                     "the debtor's last message is more than 24 hours old: only a template may "
                     "be sent");
  stored_message result;
  result.id.value = rows[0][1].as<std::string>();
  result.json = txn.exec_prepared("message.json", result.id.value).at(0)[0].as<std::string>();
  return result;
}

std::optional<message_status_changed>
message_repository::record_outcome(pqxx::transaction_base& txn, const send_outcome& o) {
  auto rows =
      txn.exec_prepared("message.record_send", o.id.value, o.provider_id, o.status, o.error);
  if (rows.empty())
    return std::nullopt;
  message_status_changed c;
  c.id = o.id;
  c.chat.value = rows[0][0].as<std::string>();
  c.status = rows[0][1].as<std::string>();
  c.provider_id = rows[0][2].as<std::string>();
  c.error = rows[0][3].as<std::string>();
  c.number.value = rows[0][4].as<std::string>();
  return c;
}

bool message_repository::count_attempt(pqxx::transaction_base& txn, const message_id& id) {
  return !txn.exec_prepared("message.count_attempt", id.value).empty();
}

std::vector<outbound_job> message_repository::outbox(pqxx::transaction_base& txn,
                                                     const number_id& number) {
  std::vector<outbound_job> result;
  for (auto row : txn.exec_prepared("message.load_outbox", number.value)) {
    outbound_job j;
    j.id.value = row[0].as<std::string>();
    j.chat.value = row[1].as<std::string>();
    j.number = number;
    j.to = row[2].as<std::string>();
    j.type = row[3].as<std::string>();
    j.text = row[4].as<std::string>();
    j.details = row[5].as<std::string>();
    j.attempts = row[6].as<int>();
    result.push_back(std::move(j));
  }
  return result;
}

write_batch_result message_repository::write(pqxx::transaction_base& txn,
                                             const write_batch& batch) {
  auto result = write_messages(txn, batch);
  write_statuses(txn, batch, result.changed);
  // Attempts and outcomes: a few per commit each, from the NUMBERs; their own statements
  // keep them simple, the shared COMMIT keeps them cheap.
  for (auto& id : batch.attempts)
    result.attempted.push_back(count_attempt(txn, id));
  for (auto& o : batch.outcomes)
    result.recorded.push_back(record_outcome(txn, o).value_or(message_status_changed{}));
  write_events(txn, batch);
  return result;
}

} // namespace crm::storage
