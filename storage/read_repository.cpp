#include "storage/read_repository.hpp"

#include <pqxx/result>

namespace crm::storage {

namespace {

// Empty filters match everything; the viewer limit ($5) applies to agents. Ids arrive
// checked as UUIDs by the routes, so the comparisons stay on the indexes.
constexpr auto list_chats = R"sql(
select coalesce(json_agg(chat_view_json(s.chat) order by s.ord), '[]')::text, coalesce(max(s.total), 0)
  from (select c as chat, row_number() over (order by c.last_message_at desc nulls last, c.id) as ord,
               count(*) over () as total
          from chats c
         where ($1 = '' or c.status = $1) and ($2 = '' or c.agent_id = nullif($2, '')::uuid)
           and ($3 = '' or c.campaign_id = nullif($3, '')::uuid) and ($4 = '' or c.priority = $4)
           and ($5 = '' or c.agent_id = nullif($5, '')::uuid)
         order by c.last_message_at desc nulls last, c.id
         limit $6 offset $7) s
)sql";

constexpr auto one_chat = R"sql(
select chat_view_json(c)::text from chats c
 where c.id = $1::uuid and ($2 = '' or c.agent_id = nullif($2, '')::uuid)
)sql";

constexpr auto chat_messages = R"sql(
select coalesce(json_agg(message_json(s.message) order by s.ord), '[]')::text,
       coalesce(max(s.total), 0)
  from (select m as message, row_number() over (order by m.created_at, m.id) as ord,
               count(*) over () as total
          from messages m
         where m.chat_id = $1::uuid
         order by m.created_at, m.id limit $2 offset $3) s
)sql";

// Media of a message in a chat the viewer may read (agents: their own chats).
constexpr auto message_media = R"sql(
select m.number_id::text, coalesce(m.provider_id, ''), coalesce(m.media->>'id', ''),
       coalesce(m.media->>'mimeType', ''), coalesce(m.media->>'filename', '')
  from messages m join chats c on c.id = m.chat_id
 where m.id = $1::uuid and m.media is not null and m.direction = 'in'
   and ($2 = '' or c.agent_id = nullif($2, '')::uuid)
)sql";

} // namespace

void read_repository::prepare(pqxx::connection& conn) {
  conn.prepare("read.media", message_media);
  conn.prepare("read.chats", list_chats);
  conn.prepare("read.chat", one_chat);
  conn.prepare("read.messages", chat_messages);
}

json_page read_repository::chats(pqxx::transaction_base& txn, const chat_query& q) {
  json_page result;
  if (!q.chat_id.empty()) {
    auto rows = txn.exec_prepared("read.chat", q.chat_id, q.only_agent);
    result.found = !rows.empty();
    if (result.found)
      result.items = rows[0][0].as<std::string>();
    return result;
  }
  auto row = txn.exec_prepared1("read.chats", q.status, q.agent_id, q.campaign_id, q.priority,
                                q.only_agent, q.limit, (q.page - 1) * q.limit);
  result.items = row[0].as<std::string>();
  result.total = row[1].as<std::int64_t>();
  return result;
}

json_page read_repository::messages(pqxx::transaction_base& txn, const message_query& q) {
  json_page result;
  // The chat must be visible to the viewer before its messages are.
  result.found = !txn.exec_prepared("read.chat", q.chat_id, q.only_agent).empty();
  if (!result.found)
    return result;
  auto row = txn.exec_prepared1("read.messages", q.chat_id, q.limit, (q.page - 1) * q.limit);
  result.items = row[0].as<std::string>();
  result.total = row[1].as<std::int64_t>();
  return result;
}

media_ref read_repository::media(pqxx::transaction_base& txn, const media_query& q) {
  media_ref result;
  auto rows = txn.exec_prepared("read.media", q.message_id, q.only_agent);
  if (rows.empty())
    return result;
  result.found = true;
  result.number.value = rows[0][0].as<std::string>();
  result.provider_id = rows[0][1].as<std::string>();
  result.media_id = rows[0][2].as<std::string>();
  result.mime = rows[0][3].as<std::string>();
  result.filename = rows[0][4].as<std::string>();
  return result;
}

} // namespace crm::storage
