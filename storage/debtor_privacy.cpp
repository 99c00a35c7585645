// Debtor notes, and habeas data (Ley 1581 de 2012): the export of everything held about a
// debtor and its erasure (personal fields anonymised, amounts kept for accounting). Both
// are audited in the transaction that does them.
#include "storage/audit_repository.hpp"
#include "storage/crm_records.hpp"
#include "storage/records.hpp"

#include <pqxx/result>
#include <pqxx/transaction>

#include <cctype>

namespace crm::storage {

namespace {

using json = nlohmann::json;
using namespace records;
using crm_ops::visible_debtor;

/// Characters (code points) of UTF-8 text.
std::size_t chars(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    n += (c & 0xC0) != 0x80;
  return n;
}

/// "two_way" -> "twoWay", at the top level of an object.
json camel_keys(const json& row) {
  json out = json::object();
  for (auto& [key, value] : row.items()) {
    std::string name;
    for (std::size_t i = 0; i < key.size(); ++i)
      if (key[i] == '_' && i + 1 < key.size())
        name += static_cast<char>(std::toupper(static_cast<unsigned char>(key[++i])));
      else
        name += key[i];
    out[name] = value;
  }
  return out;
}

void audit(pqxx::transaction_base& txn, const client_info& by, const char* action,
           const std::string& debtor, const json& after) {
  audit_entry e;
  e.user_id = by.user_id;
  e.role = by.role;
  e.action = action;
  e.entity = "debtors";
  e.entity_id = debtor;
  e.after = after.dump();
  e.ip = by.ip;
  e.user_agent = by.user_agent;
  audit_repository::append(txn, e);
}

// -- notes -----------------------------------------------------------------------------

api_reply list_notes(pqxx::transaction_base& txn, const api_request& req, const json& f) {
  auto page = f.value("page", std::int64_t{1});
  auto limit = f.value("limit", std::int64_t{50});
  auto row = txn.exec_params1(
      "select coalesce(json_agg(debtor_note_json(s.note) order by s.ord), '[]')::text,"
      " coalesce(max(s.total), 0) from (select n as note, row_number() over (order by"
      " n.created_at desc, n.id) as ord, count(*) over () as total from debtor_notes n"
      " where n.debtor_id = $1::uuid order by n.created_at desc, n.id limit $2 offset $3) s",
      req.id, limit, (page - 1) * limit);
  return answer(200, {{"items", json::parse(row[0].as<std::string>())},
                      {"total", row[1].as<std::int64_t>()},
                      {"page", page},
                      {"limit", limit}});
}

api_reply create_note(pqxx::work& txn, const api_request& req, const json& b) {
  auto row = txn.exec_params1("insert into debtor_notes (debtor_id, body, created_by)"
                              " values ($1::uuid, $2, nullif($3, '')::uuid)"
                              " returning debtor_note_json(debtor_notes.*)::text",
                              req.id, b["body"].get<std::string>(), req.by.user_id);
  auto note = json::parse(row[0].as<std::string>());
  txn.commit();
  return answer(201, note);
}

// -- habeas data -----------------------------------------------------------------------

/// Everything held about the debtor, as one document.
constexpr auto export_document = R"sql(
select json_build_object(
  'exportedAt', iso_utc(now()),
  'debtor', debtor_json(d)::jsonb || jsonb_build_object('erasedAt', iso_utc(d.erased_at)),
  'phones', coalesce((select json_agg(json_build_object('phone', p.phone,
                                                        'isPrimary', p.is_primary)
                                      order by p.is_primary desc, p.phone)
                        from debtor_phones p where p.debtor_id = d.id), '[]'),
  'promises', coalesce((select json_agg(promise_json(p) order by p.created_at, p.id)
                          from payment_promises p where p.debtor_id = d.id), '[]'),
  'payments', coalesce((select json_agg(payment_json(x) order by x.paid_on, x.created_at)
                          from payments x where x.debtor_id = d.id), '[]'),
  'notes', coalesce((select json_agg(debtor_note_json(n) order by n.created_at, n.id)
                       from debtor_notes n where n.debtor_id = d.id), '[]'),
  'tasks', coalesce((select json_agg(task_json(t) order by t.created_at, t.id)
                       from tasks t where t.debtor_id = d.id), '[]'),
  'chats', coalesce((select json_agg(chat_json(c)::jsonb || jsonb_build_object('messages',
                       coalesce((select jsonb_agg(message_json(m)::jsonb
                                                  order by m.created_at, m.id)
                                   from messages m where m.chat_id = c.id), '[]'::jsonb))
                                     order by c.opened_at, c.id)
                       from chats c where c.debtor_id = d.id), '[]'))::text
  from debtors d where d.id = $1::uuid
)sql";

/// The rows of contact_attempts (the outbound log), when that table exists.
json contact_attempts(pqxx::transaction_base& txn, const std::string& debtor) {
  if (!txn.exec1("select to_regclass('contact_attempts') is not null")[0].as<bool>())
    return json::array();
  auto row = txn.exec_params1(
      "select coalesce(json_agg(to_jsonb(a) || jsonb_build_object('created_at',"
      " iso_utc(a.created_at)) order by a.created_at), '[]')::text from contact_attempts a"
      " where a.debtor_id = $1::uuid",
      debtor);
  json result = json::array();
  for (auto& a : json::parse(row[0].as<std::string>()))
    result.push_back(camel_keys(a));
  return result;
}

api_reply export_debtor(crm_worker_state& st, const api_request& req) {
  pqxx::work txn{st.connection()};
  // Agents do not export (their 404 for debtors they cannot see comes first).
  if (visible_debtor(txn, req.id, req.by).is_null())
    return error(404, "not_found", "no such debtor");
  if (req.by.role == "agent")
    return error(403, "forbidden", "agents cannot export a debtor's data");
  auto doc = json::parse(txn.exec_params1(export_document, req.id)[0].as<std::string>());
  doc["contactAttempts"] = contact_attempts(txn, req.id);
  std::size_t messages = 0;
  for (auto& c : doc["chats"])
    messages += c["messages"].size();
  json counts = json::object();
  for (auto key : {"phones", "promises", "payments", "notes", "tasks", "chats", "contactAttempts"})
    counts[key] = doc[key].size();
  counts["messages"] = messages;
  audit(txn, req.by, "debtors.export", req.id, {{"exported", counts}});
  txn.commit();
  return answer(200, doc);
}

api_reply erase_debtor(crm_worker_state& st, const api_request& req, const json& b) {
  for (auto& [key, value] : b.items())
    if (key != "reason")
      return invalid(key, "unknown field " + key);
  if (!b.contains("reason") || !b["reason"].is_string() || b["reason"].get<std::string>().empty() ||
      chars(b["reason"].get<std::string>()) > 500)
    return invalid("reason", "reason is required: why the data is erased (1 to 500 characters)");
  pqxx::work txn{st.connection()};
  if (visible_debtor(txn, req.id, req.by).is_null())
    return error(404, "not_found", "no such debtor");
  auto name =
      txn.exec_params1("select full_name from debtors where id = $1::uuid for update", req.id)[0]
          .as<std::string>();
  auto open = txn.exec_params1("select count(*) from chats where debtor_id = $1::uuid"
                               " and status <> 'closed'",
                               req.id)[0]
                  .as<std::int64_t>();
  if (open > 0)
    return error(409, "conflict", "the debtor has an open chat: close it first",
                 {{"openChats", open}});
  constexpr auto anonymous = "Titular anonimizado";
  txn.exec_params("update debtors set full_name = $2, document_number = 'ANON-' ||"
                  " left(id::text, 8), email = null, tags = '{}', opted_out = true,"
                  " erased_at = coalesce(erased_at, now()), updated_at = now()"
                  " where id = $1::uuid",
                  req.id, anonymous);
  json counts = json::object();
  counts["phones"] = txn.exec_params("delete from debtor_phones where debtor_id = $1::uuid", req.id)
                         .affected_rows();
  counts["notes"] = txn.exec_params("delete from debtor_notes where debtor_id = $1::uuid", req.id)
                        .affected_rows();
  // Provider receipts name the recipient's phone: they go blank with the messages.
  txn.exec_params("update message_statuses s set recipient = null from messages m, chats c"
                  " where c.debtor_id = $1::uuid and m.chat_id = c.id"
                  " and s.number_id = m.number_id and s.provider_id = m.provider_id",
                  req.id);
  counts["messages"] =
      txn.exec_params("update messages m set body = '[dato eliminado]', media = null,"
                      " details = null from chats c where c.debtor_id = $1::uuid"
                      " and m.chat_id = c.id",
                      req.id)
          .affected_rows();
  counts["chats"] = txn.exec_params("update chats set debtor_phone = 'erased:' ||"
                                    " left(id::text, 8), contact_name = ''"
                                    " where debtor_id = $1::uuid",
                                    req.id)
                        .affected_rows();
  // Follow-up titles carry the name ("Promesa incumplida: <name>").
  counts["tasks"] = txn.exec_params("update tasks set notes = '', title = replace(title, $2, $3),"
                                    " updated_at = now() where debtor_id = $1::uuid",
                                    req.id, name, anonymous)
                        .affected_rows();
  // The outbound log keeps its rows (they count for the contact rules), not the phone.
  if (txn.exec1("select to_regclass('contact_attempts') is not null")[0].as<bool>())
    counts["contactAttempts"] =
        txn.exec_params("update contact_attempts set to_phone = 'erased:' || left(id::text, 8)"
                        " where debtor_id = $1::uuid",
                        req.id)
            .affected_rows();
  // What the bot captured in those chats (dates, amounts, documents typed by the debtor).
  if (!txn.exec("select 1 from information_schema.columns where table_schema = current_schema()"
                " and table_name = 'chats' and column_name = 'bot_state'")
           .empty())
    txn.exec_params("update chats set bot_state = null where debtor_id = $1::uuid", req.id);
  audit(txn, req.by, "debtors.erase", req.id,
        {{"reason", b["reason"].get<std::string>()}, {"erased", counts}});
  auto debtor = visible_debtor(txn, req.id, client_info{});
  debtor["erasedAt"] =
      txn.exec_params1("select iso_utc(erased_at) from debtors where id = $1::uuid", req.id)[0]
          .as<std::string>();
  txn.commit();
  return answer(200, debtor);
}

} // namespace

namespace crm_ops {

api_reply debtor_notes(crm_worker_state& st, const api_request& req, const json& b) {
  if (req.op == "debtors.notes.list") {
    pqxx::read_transaction txn{st.connection()};
    if (visible_debtor(txn, req.id, req.by).is_null())
      return error(404, "not_found", "no such debtor");
    return list_notes(txn, req, b);
  }
  if (req.op == "debtors.notes.create") {
    for (auto& [key, value] : b.items())
      if (key != "body")
        return invalid(key, "unknown field " + key);
    if (!b.contains("body") || !b["body"].is_string() || b["body"].get<std::string>().empty() ||
        chars(b["body"].get<std::string>()) > 4000)
      return invalid("body", "body is required: 1 to 4,000 characters");
    pqxx::work txn{st.connection()};
    if (visible_debtor(txn, req.id, req.by).is_null())
      return error(404, "not_found", "no such debtor");
    return create_note(txn, req, b);
  }
  return error(404, "not_found", "no operation " + req.op);
}

api_reply debtor_privacy(crm_worker_state& st, const api_request& req, const json& b) {
  if (req.op == "debtors.privacy.export")
    return export_debtor(st, req);
  if (req.op == "debtors.privacy.erase")
    return erase_debtor(st, req, b);
  return error(404, "not_found", "no operation " + req.op);
}

} // namespace crm_ops

} // namespace crm::storage
