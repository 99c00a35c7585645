// Tasks: follow-ups with a due time; agents see and change only their own. The SCHEDULER
// sweeps them for reminders and broken promises.
#include "storage/crm_records.hpp"
#include "storage/records.hpp"

#include <pqxx/except>
#include <pqxx/result>
#include <pqxx/transaction>

#include <map>
#include <regex>

namespace crm::storage {

namespace {

using json = nlohmann::json;
using namespace records;

std::optional<field_error> check_task(const json& b, bool creating) {
  static const std::regex iso{
      R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$)"};
  for (auto key : {"title", "dueAt"})
    if (creating && !b.contains(key))
      return field_error{key, std::string{key} + " is required"};
  for (auto& [key, value] : b.items()) {
    if (key == "title") {
      if (!value.is_string() || value.get<std::string>().empty() ||
          value.get<std::string>().size() > 200)
        return field_error{key, "title must be 1 to 200 characters"};
    } else if (key == "notes") {
      if (!value.is_string() || value.get<std::string>().size() > 4000)
        return field_error{key, "notes must be text (4,000 characters at most)"};
    } else if (key == "dueAt") {
      if (!value.is_string() || !std::regex_match(value.get<std::string>(), iso))
        return field_error{key, "dueAt must be an ISO-8601 time with its offset"};
    } else if (key == "assigneeId" || key == "debtorId" || key == "chatId") {
      if (!value.is_null() && (!value.is_string() || !is_uuid(value.get<std::string>())))
        return field_error{key, key + " must be an id"};
    } else if (key == "status") {
      if (!value.is_string() || (value != "open" && value != "done" && value != "cancelled"))
        return field_error{key, "status must be open, done or cancelled"};
    } else {
      return field_error{key, "unknown field " + key};
    }
  }
  return std::nullopt;
}

} // namespace

namespace crm_ops {

using namespace records;

api_reply tasks(crm_worker_state& st, const api_request& req, const json& b) {
  const auto& op = req.op;
  // Agents see and change their own tasks and may give tasks only to themselves.
  auto own = req.by.role == "agent" ? req.by.user_id : std::string{};
  if (op == "tasks.list") {
    pqxx::read_transaction txn{st.connection()};
    auto page = b.value("page", std::int64_t{1});
    auto limit = b.value("limit", std::int64_t{50});
    auto row = txn.exec_params1(
        "select coalesce(json_agg(task_json(s.task) order by s.ord), '[]')::text,"
        " coalesce(max(s.total), 0) from (select t as task, row_number() over (order by"
        " t.due_at, t.id) as ord, count(*) over () as total from tasks t"
        " where ($1 = '' or t.assignee_id = nullif($1, '')::uuid)"
        " and ($2 = '' or t.status = $2) and ($3 = '' or t.assignee_id = nullif($3, '')::uuid)"
        " order by t.due_at, t.id limit $4 offset $5) s",
        own, str(b, "status"), str(b, "agentId"), limit, (page - 1) * limit);
    return answer(200, {{"items", json::parse(row[0].as<std::string>())},
                        {"total", row[1].as<std::int64_t>()},
                        {"page", page},
                        {"limit", limit}});
  }
  if (op == "tasks.create" || op == "tasks.update") {
    bool creating = op == "tasks.create";
    if (auto bad = check_task(b, creating))
      return error(400, "invalid_input", bad->message, {{"field", bad->field}});
    auto assignee = b.contains("assigneeId") && b["assigneeId"].is_string()
                        ? b["assigneeId"].get<std::string>()
                        : (creating ? req.by.user_id : std::string{});
    if (!own.empty() && !assignee.empty() && assignee != own)
      return error(403, "forbidden", "agents give tasks only to themselves");
    pqxx::work txn{st.connection()};
    if (!assignee.empty() &&
        txn.exec_params("select 1 from users where id = $1::uuid and is_active", assignee).empty())
      return error(400, "invalid_input", "no active user " + assignee, {{"field", "assigneeId"}});
    std::string id = req.id;
    if (creating) {
      id = txn.exec_params1(
                  "insert into tasks (title, notes, due_at, assignee_id, debtor_id,"
                  " chat_id, created_by) values ($1, coalesce($2, ''), $3::timestamptz,"
                  " $4::uuid, $5::uuid, $6::uuid, nullif($7, '')::uuid) returning id::text",
                  str(b, "title"), opt_text(b, "notes"), str(b, "dueAt"), assignee,
                  opt_text(b, "debtorId"), opt_text(b, "chatId"), req.by.user_id)[0]
               .as<std::string>();
    } else {
      auto found = txn.exec_params("update tasks set title = coalesce($3, title),"
                                   " notes = coalesce($4, notes),"
                                   " due_at = coalesce($5::timestamptz, due_at),"
                                   " reminded_at = case when $5 is null then reminded_at end,"
                                   " status = coalesce($6, status),"
                                   " assignee_id = coalesce(nullif($7, '')::uuid, assignee_id),"
                                   " updated_at = now() where id = $1::uuid"
                                   " and ($2 = '' or assignee_id = nullif($2, '')::uuid)"
                                   " returning id",
                                   id, own, opt_text(b, "title"), opt_text(b, "notes"),
                                   opt_text(b, "dueAt"), opt_text(b, "status"), assignee);
      if (found.empty())
        return error(404, "not_found", "no such task");
    }
    auto row = txn.exec_params1("select task_json(t)::text from tasks t where t.id = $1::uuid", id);
    txn.commit();
    return answer(creating ? 201 : 200, json::parse(row[0].as<std::string>()));
  }
  if (op == "tasks.delete") {
    pqxx::work txn{st.connection()};
    auto gone = txn.exec_params("delete from tasks where id = $1::uuid and ($2 = '' or"
                                " assignee_id = nullif($2, '')::uuid) returning id",
                                req.id, own);
    if (gone.empty())
      return error(404, "not_found", "no such task");
    txn.commit();
    return api_reply{204, "", "", 0, false};
  }
  if (op == "tasks.sweep") {
    // The SCHEDULER's tick: broken promises get their follow-up task (for the debtor's
    // agent, else the promise's author), then the reminders now due are taken, once.
    pqxx::work txn{st.connection()};
    auto created = txn.exec(
        "insert into tasks (title, due_at, assignee_id, debtor_id, chat_id, promise_id, source)"
        " select 'Promesa incumplida: ' || d.full_name, now(),"
        " coalesce(d.assigned_agent_id, c.agent_id, p.created_by), p.debtor_id, p.chat_id, p.id,"
        " 'broken_promise' from payment_promises p join debtors d on d.id = p.debtor_id"
        " left join chats c on c.id = p.chat_id"
        " where p.status = 'pending' and p.due_date < business_today() and promise_paid(p) = 0"
        " and coalesce(d.assigned_agent_id, c.agent_id, p.created_by) is not null"
        " and not exists (select 1 from tasks t where t.promise_id = p.id)"
        " order by p.due_date limit 1000 on conflict (promise_id) do nothing");
    // Stored statuses catch up (reads derive them anyway), so the next sweep skips these.
    // Both are bounded: a backlog (an import of old promises) is worked off tick by tick
    // instead of holding the CRM WORKER, which answers the API too, for minutes.
    txn.exec("update payment_promises set status = promise_state(payment_promises) where id in"
             " (select p.id from payment_promises p where p.status = 'pending' and"
             " (p.due_date < business_today() or promise_paid(p) >= p.amount) and"
             " (p.due_date >= business_today() or exists (select 1 from tasks t where"
             " t.promise_id = p.id) or promise_paid(p) > 0) order by p.due_date limit 5000)");
    // Reminders now due; marked only once delivered (tasks.reminded), so one for an agent
    // who is not connected waits for the agent.
    auto due = txn.exec_params(
        "select assignee_id::text, task_json(t)::text from tasks t where t.status = 'open'"
        " and t.reminded_at is null and t.due_at - make_interval(mins => $1) <= now()"
        " order by t.due_at limit 500",
        b.value("leadMinutes", 10));
    json reminders = json::array();
    for (auto r : due)
      reminders.push_back(
          {{"assigneeId", r[0].as<std::string>()}, {"task", json::parse(r[1].as<std::string>())}});
    txn.commit();
    return answer(200, {{"reminders", reminders}, {"created", created.affected_rows()}});
  }
  if (op == "tasks.reminded") {
    pqxx::work txn{st.connection()};
    txn.exec_params("update tasks set reminded_at = now() where id = $1::uuid", str(b, "taskId"));
    txn.commit();
    return answer(200, {{"ok", true}});
  }
  return error(404, "not_found", "no operation " + op);
}

} // namespace crm_ops

} // namespace crm::storage
