// The bot's side of the database: what a CHAT needs to run its campaign's flow (the flow,
// the debtor's variables, the saved session) and the bot's actions on the account, applied
// together with the session so a restart resumes where the debtor stood.
#include "storage/crm_records.hpp"
#include "storage/records.hpp"

#include <pqxx/except>
#include <pqxx/result>
#include <pqxx/subtransaction>
#include <pqxx/transaction>
#include <spdlog/spdlog.h>

#include <regex>

namespace crm::storage {

namespace {

using json = nlohmann::json;
using namespace records;

constexpr auto context_sql = R"sql(
select c.status, coalesce(c.debtor_id::text, ''), coalesce(c.bot_state::text, 'null'),
       coalesce(f.definition::text, 'null'),
       json_build_object(
         'clientName', coalesce(d.full_name, nullif(c.contact_name, ''), ''),
         'debtAmount', coalesce(d.debt_amount, 0),
         'debtAmountText', coalesce(replace(to_char(d.debt_amount, 'FM999,999,999,990'), ',', '.'),
                                    '0'),
         'daysOverdue', coalesce(debtor_days(d), 0),
         'priority', coalesce(priority_of(debtor_days(d)), c.priority),
         'currency', coalesce(d.currency, 'COP'),
         'documentNumber', coalesce(d.document_number, ''),
         'collectionStatus', coalesce(d.collection_status, 'pending'),
         'today', to_char((to_timestamp($2) at time zone current_setting('TimeZone'))::date,
                          'YYYY-MM-DD'))::text
  from chats c
  left join debtors d on d.id = c.debtor_id
  left join campaigns cp on cp.id = c.campaign_id
  left join bot_flows f on f.id = cp.bot_flow_id
 where c.id = $1::uuid
)sql";

const std::set<std::string> statuses = {"pending", "contacted", "promise",
                                        "paid",    "legal",     "unlocatable"};

/// One action of the bot on the debtor's account; false (and why) when it cannot apply.
std::string apply_action(pqxx::transaction_base& txn, const std::string& chat,
                         const std::string& debtor, const json& a) {
  static const std::regex date{R"(^\d{4}-\d{2}-\d{2}$)"};
  static const std::regex amount{R"(^\d{1,13}(\.\d{1,2})?$)"};
  auto kind = str(a, "action");
  auto params = a.value("params", json::object());
  if (debtor.empty())
    return "the chat has no debtor";
  if (kind == "promise") {
    auto value = str(params, "amount"), due = str(params, "dueDate");
    if (!std::regex_match(value, amount) || !std::regex_match(due, date))
      return "promise needs an amount and a date";
    txn.exec_params("insert into payment_promises (debtor_id, chat_id, amount, due_date)"
                    " values ($1::uuid, $2::uuid, $3::numeric, $4::date)",
                    debtor, chat, value, due);
    txn.exec_params("update debtors set collection_status = 'promise', updated_at = now()"
                    " where id = $1::uuid and collection_status not in ('paid', 'legal')",
                    debtor);
    return {};
  }
  if (kind == "status") {
    auto status = str(params, "collectionStatus");
    if (!statuses.count(status))
      return "unknown collection status " + status;
    txn.exec_params("update debtors set collection_status = $2, updated_at = now()"
                    " where id = $1::uuid",
                    debtor, status);
    return {};
  }
  if (kind == "tag") {
    auto tag = str(params, "tag");
    if (tag.empty())
      return "tag needs a tag";
    txn.exec_params("update debtors set tags = array_append(tags, $2), updated_at = now()"
                    " where id = $1::uuid and not ($2 = any(tags))",
                    debtor, tag);
    return {};
  }
  if (kind == "task") {
    auto title = str(params, "title");
    int minutes = params.value("dueInMinutes", 60);
    // The debtor's agent follows it up; without one, the longest-standing supervisor.
    auto assignee = txn.exec_params(
        "select coalesce((select assigned_agent_id from debtors where id = $1::uuid),"
        " (select u.id from users u join roles r on r.id = u.role_id where u.is_active and"
        " r.name in ('supervisor', 'super_admin') order by r.name = 'supervisor' desc,"
        " u.created_at limit 1))",
        debtor);
    if (title.empty() || assignee.empty() || assignee[0][0].is_null())
      return "task needs a title and someone to give it to";
    txn.exec_params("insert into tasks (title, due_at, assignee_id, debtor_id, chat_id)"
                    " values (left($1, 200), now() + make_interval(mins => $2), $3::uuid,"
                    " $4::uuid, $5::uuid)",
                    title, minutes, assignee[0][0].as<std::string>(), debtor, chat);
    return {};
  }
  return "unknown action " + kind;
}

} // namespace

namespace crm_ops {

api_reply bot_sessions(crm_worker_state& st, const api_request& req, const json& b) {
  if (req.op == "bot.context") {
    pqxx::read_transaction txn{st.connection()};
    auto rows = txn.exec_params(context_sql, req.id, st.contact.now().time_since_epoch().count());
    if (rows.empty())
      return error(404, "not_found", "no such chat");
    auto r = rows[0];
    return answer(200, {{"status", r[0].as<std::string>()},
                        {"debtorId", r[1].as<std::string>()},
                        {"session", json::parse(r[2].as<std::string>())},
                        {"flow", json::parse(r[3].as<std::string>())},
                        {"context", json::parse(r[4].as<std::string>())}});
  }
  if (req.op == "bot.apply") {
    pqxx::work txn{st.connection()};
    auto chat = txn.exec_params("select coalesce(debtor_id::text, '') from chats"
                                " where id = $1::uuid for update",
                                req.id);
    if (chat.empty())
      return error(404, "not_found", "no such chat");
    auto debtor = chat[0][0].as<std::string>();
    json skipped = json::array();
    for (auto& a : b.value("actions", json::array())) {
      // One failing action must not cost the session or the others.
      pqxx::subtransaction sub{txn, "bot_action"};
      std::string why;
      try {
        why = apply_action(sub, req.id, debtor, a);
      } catch (const pqxx::data_exception& e) {
        why = e.what();
      } catch (const pqxx::integrity_constraint_violation& e) {
        why = e.what();
      }
      if (why.empty()) {
        sub.commit();
      } else {
        sub.abort();
        spdlog::warn("bot: chat {}: action {} not applied: {}", req.id, str(a, "action"), why);
        skipped.push_back({{"action", str(a, "action")}, {"reason", why}});
      }
    }
    if (b.contains("priority") && b["priority"].is_string())
      txn.exec_params("update chats set priority = $2 where id = $1::uuid and $2 in"
                      " ('URGENTE', 'ALTA', 'MEDIA', 'BAJA')",
                      req.id, str(b, "priority"));
    txn.exec_params("update chats set bot_state = $2::jsonb where id = $1::uuid", req.id,
                    b.value("session", json(nullptr)).dump());
    txn.commit();
    return answer(200, {{"skipped", std::move(skipped)}});
  }
  return error(404, "not_found", "no operation " + req.op);
}

} // namespace crm_ops

} // namespace crm::storage
