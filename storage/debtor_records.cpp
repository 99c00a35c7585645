// Debtors: CRUD, CSV import and export, promises and payments. Agents reach only the debtors
// of their open chats and those assigned to them; everything else is the role's permission,
// checked by net/.
#include "domain/csv.hpp"
#include "domain/phone.hpp"
#include "storage/crm_records.hpp"
#include "storage/records.hpp"

#include <pqxx/except>
#include <pqxx/result>
#include <pqxx/stream_to>
#include <pqxx/transaction>

#include <algorithm>
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
    } else if (key == "party") {
      if (!value.is_string() || !std::set<std::string>{"debtor", "co_debtor", "reference"}.count(
                                    value.get<std::string>()))
        return field_error{key, "party must be debtor, co_debtor or reference"};
    } else if (key == "primaryDebtorId") {
      if (!value.is_null() && (!value.is_string() || !is_uuid(value.get<std::string>())))
        return field_error{key, "primaryDebtorId must be a debtor id or null"};
    } else if (key == "authorizedChannels") {
      static const std::set<std::string> channels = {"whatsapp", "sms", "email", "call", "letter"};
      if (!value.is_array() || !std::all_of(value.begin(), value.end(), [](const json& c) {
            return c.is_string() && channels.count(c.get<std::string>());
          }))
        return field_error{key, "authorizedChannels must list whatsapp, sms, email, call or "
                                "letter"};
    } else if (key == "assignedAgentId") {
      if (!value.is_null() && (!value.is_string() || !is_uuid(value.get<std::string>())))
        return field_error{key, "assignedAgentId must be a user id or null"};
    } else {
      return field_error{key, "unknown field " + key};
    }
  }
  return std::nullopt;
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
          errors.push_back({{"row", rows[i].line},
                            // The file's column is "phone" (one per row), the API's field "phones".
                            {"field", bad->field == "phones" ? std::string{"phone"} : bad->field},
                            {"message", bad->message}});
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
        txn.exec1("select business_today()::text")[0].as<std::string>())
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
  return whole_list(row[0].as<std::string>());
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
    return whole_list(row[0].as<std::string>());
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
      " coalesce($4::date, business_today()), $5, $6, nullif($7, '')::uuid)"
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

} // namespace

namespace crm_ops {

api_reply debtors(crm_worker_state& st, const api_request& req, const json& in) {
  const auto& op = req.op;
  auto body = in; // phones are normalised in place
  if (op == "debtors.list") {
    pqxx::read_transaction txn{st.connection()};
    return list(txn, body, req.by);
  }
  if (op == "debtors.export") {
    pqxx::read_transaction txn{st.connection()};
    return export_csv(txn, body, req.by);
  }
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
      // An agent works the debtor; whether and how the debtor may be contacted, and who owns
      // the account, are a supervisor's call (Ley 2300: an opt-out is the debtor's, not the
      // agent's, to undo).
      if (req.by.role == "agent")
        for (auto key : {"optedOut", "consent", "authorizedChannels", "party", "primaryDebtorId",
                         "assignedAgentId"})
          if (body.contains(key))
            return error(403, "forbidden",
                         std::string{"agents may not change "} + key +
                             ": opt-out, consent, channels, party and assignment are a "
                             "supervisor's",
                         {{"field", key}});
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
      // The opt-out is kept by phone too (a STOP from a phone no debtor has yet): setting it
      // records the phones, clearing it (the debtor consented again) forgets them, before
      // any new phones below meet the trigger that re-applies it.
      if (body.contains("optedOut") && body["optedOut"].get<bool>()) {
        txn.exec_params("update debtors set opted_out_at = coalesce(opted_out_at, now())"
                        " where id = $1::uuid",
                        id);
        txn.exec_params("insert into opted_out_phones (phone) select phone from debtor_phones"
                        " where debtor_id = $1::uuid on conflict do nothing",
                        id);
      } else if (body.contains("optedOut")) {
        txn.exec_params("update debtors set opted_out_at = null where id = $1::uuid", id);
        txn.exec_params("delete from opted_out_phones where phone in (select phone from"
                        " debtor_phones where debtor_id = $1::uuid)",
                        id);
      }
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
    if (body.contains("party") || body.contains("primaryDebtorId") ||
        body.contains("authorizedChannels")) {
      if (str(body, "primaryDebtorId") == id)
        return invalid("primaryDebtorId", "a debtor cannot be its own primary debtor");
      if (!str(body, "primaryDebtorId").empty() &&
          txn.exec_params("select 1 from debtors where id = $1::uuid", str(body, "primaryDebtorId"))
              .empty())
        return invalid("primaryDebtorId", "no such debtor");
      txn.exec_params(
          "update debtors set party = coalesce($2, party), primary_debtor_id = case when $5"
          " then $3::uuid else primary_debtor_id end, authorized_channels = coalesce($4::text[],"
          " authorized_channels) where id = $1::uuid",
          id, opt_text(body, "party"), opt_text(body, "primaryDebtorId"),
          body.contains("authorizedChannels")
              ? std::optional<std::string>{text_array(body["authorizedChannels"])}
              : std::nullopt,
          body.contains("primaryDebtorId"));
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

json visible_debtor(pqxx::transaction_base& txn, const std::string& id, const client_info& by) {
  return one(txn, id, by);
}

api_reply import_debtors(crm_worker_state& st, const std::string& csv) {
  return import(st.connection(), csv);
}

} // namespace crm_ops

} // namespace crm::storage
