// The CRM WORKER: debtors. Agents reach only the debtors of their open chats and those
// assigned to them; everything else is the role's permission, checked by net/.
#include "storage/crm_worker.hpp"

#include "domain/csv.hpp"
#include "domain/phone.hpp"
#include "storage/pg.hpp"
#include "storage/records.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/stream_to>
#include <pqxx/transaction>
#include <spdlog/spdlog.h>

#include <charconv>
#include <map>
#include <regex>
#include <set>
#include <tuple>

namespace crm::storage {

namespace {

using json = nlohmann::json;
using namespace records;

/// The country of national numbers (the team works in Colombia).
constexpr auto country_code = "57";

struct field_error {
  std::string field, message;
};

/// A phone as people type it: a national 10-digit number (Colombian mobiles and landlines)
/// gets the country code; anything else is normalised as the providers' numbers are.
std::optional<std::string> national_phone(const std::string& raw) {
  std::string digits;
  for (char c : raw)
    if (std::isdigit(static_cast<unsigned char>(c)))
      digits += c;
  if (raw.find('+') == std::string::npos && digits.size() == 10)
    return normalize_phone(country_code + digits);
  return normalize_phone(raw);
}

/// Checks (and normalises: phones to E.164, currency upper case) a debtor's fields.
std::optional<field_error> check_debtor(json& b, bool creating) {
  static const std::regex document{R"(^[A-Za-z0-9.\-]{1,30}$)"};
  static const std::regex email{R"(^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{1,63}$)"};
  static const std::regex date{R"(^\d{4}-\d{2}-\d{2}$)"};
  static const std::regex currency{R"(^[A-Za-z]{3}$)"};
  static const char* statuses[] = {"pending", "contacted", "promise",
                                   "paid",    "legal",     "unlocatable"};
  for (auto key : {"fullName", "documentNumber", "phones"})
    if (creating && !b.contains(key))
      return field_error{key, std::string{key} + " is required"};
  for (auto& [key, value] : b.items()) {
    if (key == "fullName") {
      if (!value.is_string() || value.get<std::string>().empty() ||
          value.get<std::string>().size() > 200)
        return field_error{key, "fullName must be 1 to 200 characters"};
    } else if (key == "documentType") {
      if (!value.is_string() || value.get<std::string>().empty() ||
          value.get<std::string>().size() > 10)
        return field_error{key, "documentType must be a short code such as CC, CE or NIT"};
    } else if (key == "documentNumber") {
      if (!value.is_string() || !std::regex_match(value.get<std::string>(), document))
        return field_error{key, "documentNumber must be 1 to 30 letters, digits, dots or dashes"};
    } else if (key == "phones") {
      if (!value.is_array() || value.empty() || value.size() > 10)
        return field_error{key, "phones must be a list of 1 to 10 phone numbers"};
      json normalised = json::array();
      for (auto& p : value) {
        auto e164 = p.is_string() ? national_phone(p.get<std::string>()) : std::nullopt;
        if (!e164)
          return field_error{key, "not a phone number: " +
                                      (p.is_string() ? p.get<std::string>() : p.dump())};
        normalised.push_back(*e164);
      }
      value = std::move(normalised);
    } else if (key == "email") {
      if (!value.is_null() &&
          (!value.is_string() || !std::regex_match(value.get<std::string>(), email)))
        return field_error{key, "email must be an email address"};
    } else if (key == "debtAmount") {
      if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 1e13)
        return field_error{key, "debtAmount must be a number >= 0"};
    } else if (key == "currency") {
      if (!value.is_string() || !std::regex_match(value.get<std::string>(), currency))
        return field_error{key, "currency must be a 3-letter ISO code"};
      auto c = value.get<std::string>();
      for (auto& ch : c)
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      value = c;
    } else if (key == "dueDate") {
      if (!value.is_null() &&
          (!value.is_string() || !std::regex_match(value.get<std::string>(), date)))
        return field_error{key, "dueDate must be YYYY-MM-DD"};
    } else if (key == "daysOverdue") {
      if (!value.is_number_integer() || value.get<long>() < 0 || value.get<long>() > 36500)
        return field_error{key, "daysOverdue must be a whole number of days >= 0"};
    } else if (key == "collectionStatus") {
      if (!value.is_string() || std::find(std::begin(statuses), std::end(statuses),
                                          value.get<std::string>()) == std::end(statuses))
        return field_error{key, "collectionStatus must be pending, contacted, promise, paid, "
                                "legal or unlocatable"};
    } else if (key == "tags") {
      if (!value.is_array() || value.size() > 50)
        return field_error{key, "tags must be a list of up to 50 names"};
      for (auto& t : value)
        if (!t.is_string() || t.get<std::string>().empty() || t.get<std::string>().size() > 50)
          return field_error{key, "each tag must be 1 to 50 characters"};
    } else if (key == "optedOut" || key == "consent") {
      if (!value.is_boolean())
        return field_error{key, key + " must be true or false"};
    } else if (key == "assignedAgentId") {
      if (!value.is_null() && (!value.is_string() || !is_uuid(value.get<std::string>())))
        return field_error{key, "assignedAgentId must be a user id or null"};
    } else {
      return field_error{key, "unknown field " + key};
    }
  }
  return std::nullopt;
}

std::optional<std::string> opt_text(const json& b, const char* key) {
  if (!b.contains(key) || b[key].is_null())
    return std::nullopt;
  return b[key].is_string() ? b[key].get<std::string>() : b[key].dump();
}

/// Writes a debtor's fields: insert or, on the same document number, update. Answers the id
/// and whether it was new.
std::pair<std::string, bool> upsert(pqxx::work& txn, const json& b) {
  auto row = txn.exec_params1(
      "insert into debtors (full_name, document_type, document_number, email, debt_amount,"
      " currency, due_date, days_overdue, collection_status, tags, opted_out, consent,"
      " assigned_agent_id)"
      " values ($1, coalesce($2, 'CC'), $3, $4, coalesce($5::numeric, 0), coalesce($6, 'COP'),"
      " $7::date, coalesce($8::int, 0), coalesce($9, 'pending'), coalesce($10::text[], '{}'),"
      " coalesce($11::boolean, false), coalesce($12::boolean, true), $13::uuid)"
      " on conflict (document_number) do update set full_name = excluded.full_name,"
      " document_type = coalesce($2, debtors.document_type),"
      " email = coalesce($4, debtors.email),"
      " debt_amount = coalesce($5::numeric, debtors.debt_amount),"
      " currency = coalesce($6, debtors.currency),"
      " due_date = coalesce($7::date, debtors.due_date),"
      " days_overdue = coalesce($8::int, debtors.days_overdue),"
      " tags = coalesce($10::text[], debtors.tags), updated_at = now()"
      " returning id::text, (xmax = 0)",
      str(b, "fullName"), opt_text(b, "documentType"), str(b, "documentNumber"),
      opt_text(b, "email"), opt_text(b, "debtAmount"), opt_text(b, "currency"),
      opt_text(b, "dueDate"), opt_text(b, "daysOverdue"), opt_text(b, "collectionStatus"),
      b.contains("tags") ? std::optional<std::string>{text_array(b["tags"])} : std::nullopt,
      opt_text(b, "optedOut"), opt_text(b, "consent"), opt_text(b, "assignedAgentId"));
  auto id = row[0].as<std::string>();
  if (b.contains("phones")) {
    bool first = true;
    for (auto& p : b["phones"]) {
      txn.exec_params("insert into debtor_phones (debtor_id, phone, is_primary)"
                      " values ($1::uuid, $2, $3 and not exists (select 1 from debtor_phones"
                      " where debtor_id = $1::uuid and is_primary)) on conflict do nothing",
                      id, p.get<std::string>(), first);
      first = false;
    }
  }
  return {id, row[1].as<bool>()};
}

/// Agents see the debtors of their open chats and those assigned to them.
constexpr auto visible = R"sql(
  ($1 = '' or d.assigned_agent_id = nullif($1, '')::uuid
   or exists (select 1 from chats c where c.debtor_id = d.id and c.status <> 'closed'
                and c.agent_id = nullif($1, '')::uuid))
)sql";

constexpr auto filtered = R"sql(
  and ($2 = '' or lower(d.full_name) like '%' || lower($2) || '%' or d.document_number = $2)
  and ($3 = '' or d.collection_status = $3)
  and ($4 = '' or priority_of(debtor_days(d)) = $4)
  and ($5 = '' or $5 = any (d.tags))
  and ($6 = '' or d.assigned_agent_id = nullif($6, '')::uuid)
)sql";

std::string viewer(const client_info& by) {
  return by.role == "agent" ? by.user_id : std::string{};
}

api_reply list(pqxx::transaction_base& txn, const json& f, const client_info& by) {
  auto page = f.value("page", std::int64_t{1});
  auto limit = f.value("limit", std::int64_t{50});
  auto row = txn.exec_params1(
      std::string{"select coalesce(json_agg(debtor_json(s.debtor) order by s.ord), '[]')::text,"
                  " coalesce(max(s.total), 0) from (select d as debtor, row_number() over"
                  " (order by lower(d.full_name), d.id) as ord, count(*) over () as total"
                  " from debtors d where "} +
          visible + filtered + " order by lower(d.full_name), d.id limit $7 offset $8) s",
      viewer(by), str(f, "q"), str(f, "status"), str(f, "priority"), str(f, "tag"),
      str(f, "agentId"), limit, (page - 1) * limit);
  return answer(200, {{"items", json::parse(row[0].as<std::string>())},
                      {"total", row[1].as<std::int64_t>()},
                      {"page", page},
                      {"limit", limit}});
}

json one(pqxx::transaction_base& txn, const std::string& id, const client_info& by) {
  auto rows = txn.exec_params(
      std::string{"select debtor_json(d)::text, (select coalesce(json_agg(promise_json(p)"
                  " order by p.due_date desc), '[]') from payment_promises p"
                  " where p.debtor_id = d.id)::text"
                  " from debtors d where d.id = $2::uuid and "} +
          visible,
      viewer(by), id);
  if (rows.empty())
    return nullptr;
  auto debtor = json::parse(rows[0][0].as<std::string>());
  debtor["promises"] = json::parse(rows[0][1].as<std::string>());
  return debtor;
}

/// One CSV row as a debtor's fields (the header names the columns).
std::optional<field_error> row_fields(const std::map<std::string, std::size_t>& columns,
                                      const csv::row& r, json& out) {
  auto cell = [&](const char* name) -> std::string {
    auto it = columns.find(name);
    return it != columns.end() && it->second < r.fields.size() ? r.fields[it->second] : "";
  };
  out = json::object();
  for (auto key : {"fullName", "documentType", "documentNumber", "email", "currency", "dueDate"})
    if (auto v = cell(key); !v.empty())
      out[key] = v;
  if (auto phone = cell("phone"); !phone.empty())
    out["phones"] = json::array({phone});
  if (auto amount = cell("debtAmount"); !amount.empty()) {
    double v = 0;
    auto [p, ec] = std::from_chars(amount.data(), amount.data() + amount.size(), v);
    if (ec != std::errc{} || p != amount.data() + amount.size())
      return field_error{"debtAmount", "debtAmount must be a number like 1250000.50"};
    out["debtAmount"] = v;
  }
  if (auto days = cell("daysOverdue"); !days.empty()) {
    long v = 0;
    auto [p, ec] = std::from_chars(days.data(), days.data() + days.size(), v);
    if (ec != std::errc{} || p != days.data() + days.size())
      return field_error{"daysOverdue", "daysOverdue must be a whole number"};
    out["daysOverdue"] = v;
  }
  if (auto tags = cell("tags"); !tags.empty()) {
    json list = json::array();
    for (std::size_t start = 0; start <= tags.size();) {
      auto bar = tags.find('|', start);
      auto t = tags.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
      if (!t.empty())
        list.push_back(t);
      if (bar == std::string::npos)
        break;
      start = bar + 1;
    }
    out["tags"] = std::move(list);
  }
  return check_debtor(out, true);
}

/// Valid rows are upserted in one transaction; bad rows are reported and skipped.
api_reply import(pqxx::connection& conn, const std::string& text) {
  static const std::set<std::string> known = {
      "fullName",   "documentType", "documentNumber", "phone",       "email",
      "debtAmount", "currency",     "dueDate",        "daysOverdue", "tags"};
  std::size_t broken_at = 0;
  auto rows = csv::parse(text, &broken_at);
  if (broken_at)
    return error(400, "invalid_input",
                 "a quoted field opened on line " + std::to_string(broken_at) + " never closes",
                 {{"line", broken_at}});
  if (rows.empty())
    return error(400, "invalid_input", "the CSV needs a header row");
  std::map<std::string, std::size_t> columns;
  for (std::size_t i = 0; i < rows[0].fields.size(); ++i) {
    auto& name = rows[0].fields[i];
    if (!known.count(name))
      return error(400, "invalid_input", "unknown column " + name, {{"column", name}});
    columns[name] = i;
  }
  for (auto required : {"fullName", "documentNumber", "phone"})
    if (!columns.count(required))
      return error(400, "invalid_input", std::string{"the CSV needs a "} + required + " column",
                   {{"column", required}});
  if (rows.size() > 100001)
    return error(413, "payload_too_large", "at most 100,000 rows per import");
  long valid = 0, failed = 0;
  json errors = json::array();
  pqxx::work txn{conn};
  // Checked rows are streamed (COPY) into a scratch table, then written with one upsert:
  // 100,000 rows take seconds, not a statement each.
  txn.exec("create temp table import_rows (line int, full_name text, document_type text,"
           " document_number text, email text, debt_amount text, currency text, due_date text,"
           " days_overdue text, tags text, phone text) on commit drop");
  {
    pqxx::stream_to into{txn, "import_rows",
                         std::vector<std::string>{"line", "full_name", "document_type",
                                                  "document_number", "email", "debt_amount",
                                                  "currency", "due_date", "days_overdue", "tags",
                                                  "phone"}};
    for (std::size_t i = 1; i < rows.size(); ++i) {
      json f;
      if (auto bad = row_fields(columns, rows[i], f)) {
        ++failed;
        if (errors.size() < 1000)
          errors.push_back(
              {{"row", rows[i].line}, {"field", bad->field}, {"message", bad->message}});
        continue;
      }
      ++valid;
      auto text = [&](const char* key) {
        return f.contains(key) ? (f[key].is_string() ? f[key].get<std::string>() : f[key].dump())
                               : std::string{};
      };
      into << std::make_tuple(std::to_string(rows[i].line), text("fullName"), text("documentType"),
                              text("documentNumber"), text("email"), text("debtAmount"),
                              text("currency"), text("dueDate"), text("daysOverdue"),
                              f.contains("tags") ? text_array(f["tags"]) : std::string{},
                              f["phones"][0].get<std::string>());
    }
    into.complete();
  }
  // A document number repeated in the file: its last row wins. Known debtors keep what a
  // column left empty; new ones get the defaults.
  auto inserted =
      txn.exec1("with src as (select distinct on (document_number) * from import_rows"
                "   order by document_number, line desc),"
                " upd as (update debtors d set full_name = s.full_name,"
                "   document_type = coalesce(nullif(s.document_type, ''), d.document_type),"
                "   email = coalesce(nullif(s.email, ''), d.email),"
                "   debt_amount = coalesce(nullif(s.debt_amount, '')::numeric, d.debt_amount),"
                "   currency = coalesce(nullif(s.currency, ''), d.currency),"
                "   due_date = coalesce(nullif(s.due_date, '')::date, d.due_date),"
                "   days_overdue = coalesce(nullif(s.days_overdue, '')::int, d.days_overdue),"
                "   tags = coalesce(nullif(s.tags, '')::text[], d.tags), updated_at = now()"
                "   from src s where d.document_number = s.document_number returning "
                "d.document_number),"
                " ins as (insert into debtors (full_name, document_type, document_number, email,"
                "   debt_amount, currency, due_date, days_overdue, tags)"
                "   select full_name, coalesce(nullif(document_type, ''), 'CC'), document_number,"
                "   nullif(email, ''), coalesce(nullif(debt_amount, '')::numeric, 0),"
                "   coalesce(nullif(currency, ''), 'COP'), nullif(due_date, '')::date,"
                "   coalesce(nullif(days_overdue, '')::int, 0), coalesce(nullif(tags, '')::text[], "
                "'{}')"
                "   from src where not exists (select 1 from upd"
                "     where upd.document_number = src.document_number)"
                "   on conflict (document_number) do nothing returning 1)"
                " select count(*) from ins")[0]
          .as<long>();
  // The phone of each debtor's winning row; the first phone a debtor has is its primary.
  txn.exec("insert into debtor_phones (debtor_id, phone, is_primary)"
           " select d.id, r.phone, not exists (select 1 from debtor_phones p"
           "   where p.debtor_id = d.id and p.is_primary)"
           " from (select distinct on (document_number) document_number, phone"
           "   from import_rows order by document_number, line desc) r"
           " join debtors d on d.document_number = r.document_number"
           " on conflict do nothing");
  txn.commit();
  return answer(200, {{"imported", inserted},
                      {"updated", valid - inserted},
                      {"failed", failed},
                      {"errors", errors}});
}

api_reply export_csv(pqxx::transaction_base& txn, const json& f, const client_info& by) {
  std::string out = "fullName,documentType,documentNumber,phone,email,debtAmount,currency,"
                    "dueDate,daysOverdue,tags,priority,collectionStatus\r\n";
  auto rows = txn.exec_params(
      std::string{"select d.full_name, d.document_type, d.document_number,"
                  " coalesce((select p.phone from debtor_phones p where p.debtor_id = d.id"
                  " order by p.is_primary desc, p.phone limit 1), ''), coalesce(d.email, ''),"
                  " d.debt_amount::text, d.currency, coalesce(d.due_date::text, ''),"
                  " debtor_days(d)::text, array_to_string(d.tags, '|'),"
                  " priority_of(debtor_days(d)), d.collection_status from debtors d where "} +
          visible + filtered + " order by lower(d.full_name), d.id",
      viewer(by), str(f, "q"), str(f, "status"), str(f, "priority"), str(f, "tag"),
      str(f, "agentId"));
  for (auto r : rows) {
    for (int i = 0; i < 12; ++i) {
      if (i)
        out += ',';
      out += csv::field(r[i].as<std::string>());
    }
    out += "\r\n";
  }
  return api_reply{200, std::move(out), "text/csv; charset=utf-8", 0, false};
}

// -- promises and payments ---------------------------------------------------------

std::optional<field_error> check_money(const json& b, const char* date_key, bool required_date) {
  static const std::regex date{R"(^\d{4}-\d{2}-\d{2}$)"};
  if (!b.contains("amount") || !b["amount"].is_number() || b["amount"].get<double>() <= 0 ||
      b["amount"].get<double>() > 1e13)
    return field_error{"amount", "amount must be a number > 0"};
  if (b.contains(date_key) || required_date)
    if (!b.contains(date_key) || !b[date_key].is_string() ||
        !std::regex_match(b[date_key].get<std::string>(), date))
      return field_error{date_key, std::string{date_key} + " must be YYYY-MM-DD"};
  return std::nullopt;
}

api_reply promises(crm_worker_state& st, const api_request& req, const json& b) {
  bool creating = req.op == "debtors.promises.create";
  if (creating) {
    if (auto bad = check_money(b, "dueDate", true))
      return error(400, "invalid_input", bad->message, {{"field", bad->field}});
    if (b.contains("chatId") &&
        (!b["chatId"].is_string() || !is_uuid(b["chatId"].get<std::string>())))
      return error(400, "invalid_input", "chatId must be a chat id", {{"field", "chatId"}});
  }
  pqxx::work txn{st.connection()};
  if (one(txn, req.id, req.by).is_null())
    return error(404, "not_found", "no such debtor");
  if (creating) {
    if (b["dueDate"].get<std::string>() <
        txn.exec1("select current_date::text")[0].as<std::string>())
      return error(422, "rule_broken", "a promise is for today or later", {{"field", "dueDate"}});
    auto row = txn.exec_params1(
        "insert into payment_promises (debtor_id, chat_id, amount, due_date, created_by)"
        " values ($1::uuid, $2::uuid, $3::numeric, $4::date, nullif($5, '')::uuid)"
        " returning promise_json(payment_promises.*)::text",
        req.id, opt_text(b, "chatId"), b["amount"].dump(), b["dueDate"].get<std::string>(),
        req.by.user_id);
    txn.exec_params("update debtors set collection_status = 'promise', updated_at = now()"
                    " where id = $1::uuid and collection_status in ('pending', 'contacted')",
                    req.id);
    txn.commit();
    return answer(201, json::parse(row[0].as<std::string>()));
  }
  auto row = txn.exec_params1("select coalesce(json_agg(promise_json(p) order by p.due_date"
                              " desc), '[]')::text from payment_promises p"
                              " where p.debtor_id = $1::uuid",
                              req.id);
  auto items = json::parse(row[0].as<std::string>());
  auto total = items.size();
  return answer(200,
                {{"items", std::move(items)}, {"total", total}, {"page", 1}, {"limit", total}});
}

api_reply payments(crm_worker_state& st, const api_request& req, const json& b) {
  bool creating = req.op == "debtors.payments.create";
  if (creating) {
    if (auto bad = check_money(b, "paidOn", false))
      return error(400, "invalid_input", bad->message, {{"field", bad->field}});
    for (auto key : {"method", "reference"})
      if (b.contains(key) && (!b[key].is_string() || b[key].get<std::string>().size() > 100))
        return error(400, "invalid_input", std::string{key} + " must be text (100 at most)",
                     {{"field", key}});
    if (b.contains("promiseId") &&
        (!b["promiseId"].is_string() || !is_uuid(b["promiseId"].get<std::string>())))
      return error(400, "invalid_input", "promiseId must be a promise id",
                   {{"field", "promiseId"}});
  }
  pqxx::work txn{st.connection()};
  if (one(txn, req.id, req.by).is_null())
    return error(404, "not_found", "no such debtor");
  if (!creating) {
    auto row = txn.exec_params1("select coalesce(json_agg(payment_json(x) order by x.paid_on"
                                " desc, x.created_at desc), '[]')::text from payments x"
                                " where x.debtor_id = $1::uuid",
                                req.id);
    auto items = json::parse(row[0].as<std::string>());
    auto total = items.size();
    return answer(200,
                  {{"items", std::move(items)}, {"total", total}, {"page", 1}, {"limit", total}});
  }
  // Counted against the named promise, else the oldest one not yet kept.
  std::string promise = str(b, "promiseId");
  if (!promise.empty()) {
    if (txn.exec_params("select 1 from payment_promises where id = $1::uuid and debtor_id ="
                        " $2::uuid",
                        promise, req.id)
            .empty())
      return error(400, "invalid_input", "the promise is not this debtor's",
                   {{"field", "promiseId"}});
  } else {
    auto open = txn.exec_params("select p.id::text from payment_promises p where p.debtor_id ="
                                " $1::uuid and promise_paid(p) < p.amount order by p.due_date"
                                " limit 1",
                                req.id);
    if (!open.empty())
      promise = open[0][0].as<std::string>();
  }
  auto row = txn.exec_params1(
      "insert into payments (debtor_id, promise_id, amount, paid_on, method, reference,"
      " created_by) values ($1::uuid, nullif($2, '')::uuid, $3::numeric,"
      " coalesce($4::date, current_date), $5, $6, nullif($7, '')::uuid)"
      " returning payment_json(payments.*)::text",
      req.id, promise, b["amount"].dump(), opt_text(b, "paidOn"), str(b, "method"),
      str(b, "reference"), req.by.user_id);
  // Paid in full: the account is settled.
  txn.exec_params("update debtors d set collection_status = 'paid', updated_at = now()"
                  " where d.id = $1::uuid and d.debt_amount > 0 and (select sum(amount) from"
                  " payments where debtor_id = d.id) >= d.debt_amount",
                  req.id);
  txn.commit();
  return answer(201, json::parse(row[0].as<std::string>()));
}

// -- tasks -------------------------------------------------------------------------

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
        " where p.status = 'pending' and p.due_date < current_date and promise_paid(p) = 0"
        " and coalesce(d.assigned_agent_id, c.agent_id, p.created_by) is not null"
        " and not exists (select 1 from tasks t where t.promise_id = p.id)"
        " on conflict (promise_id) do nothing");
    // Stored statuses catch up (reads derive them anyway), so the next sweep skips these.
    txn.exec("update payment_promises p set status = promise_state(p) where p.status ="
             " 'pending' and (p.due_date < current_date or promise_paid(p) >= p.amount)");
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

// -- quick replies -----------------------------------------------------------------

/// Fills {{variables}} from a debtor (and the agent); unknown names stay as written.
std::string render(const std::string& body, const std::map<std::string, std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < body.size();) {
    auto open = body.find("{{", i);
    if (open == std::string::npos) {
      out += body.substr(i);
      break;
    }
    auto close = body.find("}}", open + 2);
    if (close == std::string::npos) {
      out += body.substr(i);
      break;
    }
    out += body.substr(i, open - i);
    auto name = body.substr(open + 2, close - open - 2);
    auto it = values.find(name);
    out += it != values.end() ? it->second : body.substr(open, close - open + 2);
    i = close + 2;
  }
  return out;
}

api_reply quick_replies(crm_worker_state& st, const api_request& req, const json& b) {
  static const std::regex shortcut{"^/[a-z0-9_-]{1,30}$"};
  const auto& op = req.op;
  if (op == "quick-replies.list") {
    pqxx::read_transaction txn{st.connection()};
    auto row = txn.exec_params1(
        "select coalesce(json_agg(quick_reply_json(q) order by q.campaign_id nulls first,"
        " q.shortcut), '[]')::text from quick_replies q where ($1 = '' or q.campaign_id is null"
        " or q.campaign_id = nullif($1, '')::uuid)",
        str(b, "campaignId"));
    auto items = json::parse(row[0].as<std::string>());
    auto total = items.size();
    return answer(200,
                  {{"items", std::move(items)}, {"total", total}, {"page", 1}, {"limit", total}});
  }
  if (op == "quick-replies.render") {
    pqxx::read_transaction txn{st.connection()};
    auto q = txn.exec_params("select body from quick_replies where id = $1::uuid", req.id);
    if (q.empty())
      return error(404, "not_found", "no such quick reply");
    std::map<std::string, std::string> values;
    auto agent = txn.exec_params("select full_name from users where id = nullif($1, '')::uuid",
                                 req.by.user_id);
    if (!agent.empty())
      values["agentName"] = agent[0][0].as<std::string>();
    if (auto debtor = str(b, "debtorId"); !debtor.empty()) {
      auto d = one(txn, debtor, req.by);
      if (d.is_null())
        return error(404, "not_found", "no such debtor");
      values["clientName"] = d["fullName"].get<std::string>();
      values["debtAmount"] = d["debtAmount"].dump();
      values["daysOverdue"] = d["daysOverdue"].dump();
      values["priority"] = d["priority"].get<std::string>();
    }
    return answer(200, {{"text", render(q[0][0].as<std::string>(), values)}});
  }
  if (op == "quick-replies.create" || op == "quick-replies.update") {
    bool creating = op == "quick-replies.create";
    for (auto key : {"shortcut", "title", "body"})
      if (creating && !b.contains(key))
        return error(400, "invalid_input", std::string{key} + " is required", {{"field", key}});
    for (auto& [key, value] : b.items()) {
      bool ok = true;
      if (key == "shortcut")
        ok = value.is_string() && std::regex_match(value.get<std::string>(), shortcut);
      else if (key == "title")
        ok = value.is_string() && !value.get<std::string>().empty() &&
             value.get<std::string>().size() <= 100;
      else if (key == "body")
        ok = value.is_string() && !value.get<std::string>().empty() &&
             value.get<std::string>().size() <= 4096;
      else if (key == "campaignId")
        ok = value.is_null() || (value.is_string() && is_uuid(value.get<std::string>()));
      else
        return error(400, "invalid_input", "unknown field " + key, {{"field", key}});
      if (!ok)
        return error(400, "invalid_input",
                     key == "shortcut" ? "shortcut must look like /saludo (a-z, 0-9, - and _)"
                                       : "invalid " + key,
                     {{"field", key}});
    }
    pqxx::work txn{st.connection()};
    try {
      auto rows =
          creating
              ? txn.exec_params("insert into quick_replies (campaign_id, shortcut, title, body,"
                                " created_by) values ($1::uuid, $2, $3, $4, nullif($5, '')::uuid)"
                                " returning quick_reply_json(quick_replies.*)::text",
                                opt_text(b, "campaignId"), str(b, "shortcut"), str(b, "title"),
                                str(b, "body"), req.by.user_id)
              : txn.exec_params("update quick_replies set shortcut = coalesce($2, shortcut),"
                                " title = coalesce($3, title), body = coalesce($4, body),"
                                " updated_at = now() where id = $1::uuid"
                                " returning quick_reply_json(quick_replies.*)::text",
                                req.id, opt_text(b, "shortcut"), opt_text(b, "title"),
                                opt_text(b, "body"));
      if (rows.empty())
        return error(404, "not_found", "no such quick reply");
      auto reply = json::parse(rows[0][0].as<std::string>());
      txn.commit();
      return answer(creating ? 201 : 200, reply);
    } catch (const pqxx::unique_violation&) {
      return error(409, "conflict", "this shortcut exists already for the campaign");
    } catch (const pqxx::foreign_key_violation&) {
      return error(400, "invalid_input", "no such campaign", {{"field", "campaignId"}});
    }
  }
  if (op == "quick-replies.delete") {
    pqxx::work txn{st.connection()};
    if (txn.exec_params("delete from quick_replies where id = $1::uuid returning id", req.id)
            .empty())
      return error(404, "not_found", "no such quick reply");
    txn.commit();
    return api_reply{204, "", "", 0, false};
  }
  return error(404, "not_found", "no operation " + op);
}

api_reply run(crm_worker_state& st, const api_request& req) {
  const auto& op = req.op;
  if (op == "debtors.import")
    return import(st.connection(), req.body);
  auto body = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
  if (!body.is_object())
    return error(400, "invalid_input", "the body must be a JSON object");
  if (op.rfind("quick-replies.", 0) == 0) {
    if (!req.id.empty() && !is_uuid(req.id))
      return error(404, "not_found", "no such quick reply");
    return quick_replies(st, req, body);
  }
  if (op.rfind("tasks.", 0) == 0) {
    if (!req.id.empty() && !is_uuid(req.id))
      return error(404, "not_found", "no such task");
    return tasks(st, req, body);
  }
  if (op == "debtors.list") {
    pqxx::read_transaction txn{st.connection()};
    return list(txn, body, req.by);
  }
  if (op == "debtors.export") {
    pqxx::read_transaction txn{st.connection()};
    return export_csv(txn, body, req.by);
  }
  if (!req.id.empty() && !is_uuid(req.id))
    return error(404, "not_found", "no such debtor");
  if (op.rfind("debtors.promises.", 0) == 0)
    return promises(st, req, body);
  if (op.rfind("debtors.payments.", 0) == 0)
    return payments(st, req, body);
  if (op == "debtors.get") {
    pqxx::read_transaction txn{st.connection()};
    auto d = one(txn, req.id, req.by);
    return d.is_null() ? error(404, "not_found", "no such debtor") : answer(200, d);
  }
  if (op == "debtors.create" || op == "debtors.update") {
    bool creating = op == "debtors.create";
    if (auto bad = check_debtor(body, creating))
      return error(400, "invalid_input", bad->message, {{"field", bad->field}});
    pqxx::work txn{st.connection()};
    std::string id = req.id;
    if (creating) {
      if (!txn.exec_params("select 1 from debtors where document_number = $1",
                           str(body, "documentNumber"))
               .empty())
        return error(409, "conflict", "a debtor with this document number exists");
      id = upsert(txn, body).first;
    } else {
      if (one(txn, id, req.by).is_null())
        return error(404, "not_found", "no such debtor");
      if (body.contains("documentNumber") &&
          !txn.exec_params("select 1 from debtors where document_number = $1 and id <> $2::uuid",
                           str(body, "documentNumber"), id)
               .empty())
        return error(409, "conflict", "a debtor with this document number exists");
      txn.exec_params(
          "update debtors set full_name = coalesce($2, full_name),"
          " document_type = coalesce($3, document_type),"
          " document_number = coalesce($4, document_number), email = case when $14 then $5"
          " else email end, debt_amount = coalesce($6::numeric, debt_amount),"
          " currency = coalesce($7, currency), due_date = case when $15 then $8::date"
          " else due_date end, days_overdue = coalesce($9::int, days_overdue),"
          " collection_status = coalesce($10, collection_status),"
          " tags = coalesce($11::text[], tags), opted_out = coalesce($12::boolean, opted_out),"
          " consent = coalesce($13::boolean, consent), updated_at = now() where id = $1::uuid",
          id, opt_text(body, "fullName"), opt_text(body, "documentType"),
          opt_text(body, "documentNumber"), opt_text(body, "email"), opt_text(body, "debtAmount"),
          opt_text(body, "currency"), opt_text(body, "dueDate"), opt_text(body, "daysOverdue"),
          opt_text(body, "collectionStatus"),
          body.contains("tags") ? std::optional<std::string>{text_array(body["tags"])}
                                : std::nullopt,
          opt_text(body, "optedOut"), opt_text(body, "consent"), body.contains("email"),
          body.contains("dueDate"));
      if (body.contains("assignedAgentId"))
        txn.exec_params("update debtors set assigned_agent_id = $2::uuid where id = $1::uuid", id,
                        opt_text(body, "assignedAgentId"));
      if (body.contains("phones")) {
        txn.exec_params("delete from debtor_phones where debtor_id = $1::uuid", id);
        bool first = true;
        for (auto& p : body["phones"]) {
          txn.exec_params("insert into debtor_phones (debtor_id, phone, is_primary) values"
                          " ($1::uuid, $2, $3) on conflict do nothing",
                          id, p.get<std::string>(), first);
          first = false;
        }
      }
    }
    auto d = one(txn, id, client_info{});
    txn.commit();
    return answer(creating ? 201 : 200, d);
  }
  if (op == "debtors.delete") {
    pqxx::work txn{st.connection()};
    if (!txn.exec_params("select 1 from chats where debtor_id = $1::uuid limit 1", req.id).empty())
      return error(409, "conflict",
                   "the debtor has conversations: close the account (collectionStatus) instead");
    auto gone = txn.exec_params("delete from debtors where id = $1::uuid returning id", req.id);
    if (gone.empty())
      return error(404, "not_found", "no such debtor");
    txn.commit();
    return api_reply{204, "", "", 0, false};
  }
  return error(404, "not_found", "no operation " + op);
}

} // namespace

pqxx::connection& crm_worker_state::connection() {
  if (!conn || !conn->is_open()) {
    conn = std::make_unique<pqxx::connection>(with_connect_timeout(url));
    pqxx::nontransaction txn{*conn};
    // Days overdue count in the business's calendar.
    txn.exec("select set_config('TimeZone', " + txn.quote(timezone) + ", false)");
  }
  return *conn;
}

crm_worker_actor::behavior_type
crm_worker(crm_worker_actor::stateful_pointer<crm_worker_state> self, std::string url,
           std::string timezone) {
  self->state.url = std::move(url);
  self->state.timezone = std::move(timezone);
  return {
      [self](const api_request& req) -> caf::result<api_reply> {
        try {
          return run(self->state, req);
        } catch (const std::exception& e) {
          spdlog::error("crm: {} failed: {}", req.op, e.what());
          if (connection_lost(e))
            self->state.conn.reset();
          return translate(e);
        }
      },
  };
}

} // namespace crm::storage
