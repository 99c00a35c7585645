// Campaigns: a portfolio segment with its numbers, agents, bot flow, assignment strategy,
// business hours and contact windows. Agents read only the campaigns they belong to. Every
// change reloads the directory (access table, agents' campaigns) before it is answered.
#include "domain/contact_rules.hpp"
#include "domain/iso_time.hpp"
#include "storage/crm_records.hpp"
#include "storage/records.hpp"

#include <pqxx/except>
#include <pqxx/result>
#include <pqxx/transaction>

#include <chrono>
#include <cstdio>
#include <regex>
#include <set>

namespace crm::storage {

namespace {

using json = nlohmann::json;
using namespace records;

/// "HH:MM" as minutes after midnight ("24:00" is the end of the day).
int minutes_of(const std::string& hh_mm) {
  return std::stoi(hh_mm.substr(0, 2)) * 60 + std::stoi(hh_mm.substr(3, 2));
}

/// Checks a week of windows: {"mon": "08:00-18:00", "sun": null, ...}.
std::optional<std::string> check_week(const json& week, const std::string& key) {
  static const std::set<std::string> days = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  static const std::regex range{R"(^(([01]\d|2[0-3]):[0-5]\d)-(([01]\d|2[0-3]):[0-5]\d|24:00)$)"};
  auto shape = key + " must be an object of weekdays (mon..sun) to \"HH:MM-HH:MM\" or null";
  if (!week.is_object())
    return shape;
  for (auto& [day, value] : week.items()) {
    if (!days.count(day))
      return key + ": unknown day " + day + " (use mon, tue, wed, thu, fri, sat, sun)";
    if (value.is_null())
      continue;
    std::smatch m;
    auto text = value.is_string() ? value.get<std::string>() : std::string{};
    if (!std::regex_match(text, m, range))
      return key + "." + day + " must be \"HH:MM-HH:MM\" or null";
    if (minutes_of(m[1].str()) >= minutes_of(m[3].str()))
      return key + "." + day + ": the window must start before it ends";
  }
  return std::nullopt;
}

/// A list of ids (UUIDs), each once.
bool id_list(const json& v) {
  if (!v.is_array() || v.size() > 500)
    return false;
  std::set<std::string> seen;
  for (auto& i : v)
    if (!i.is_string() || !is_uuid(i.get<std::string>()) ||
        !seen.insert(i.get<std::string>()).second)
      return false;
  return true;
}

std::optional<field_error> check_campaign(const json& b, bool creating) {
  if (creating && !b.contains("name"))
    return field_error{"name", "name is required"};
  for (auto& [key, value] : b.items()) {
    if (key == "name") {
      if (!value.is_string() || value.get<std::string>().empty() ||
          value.get<std::string>().size() > 100)
        return field_error{key, "name is required: 1 to 100 characters"};
    } else if (key == "description") {
      if (!value.is_string() || value.get<std::string>().size() > 1000)
        return field_error{key, "description must be text (1,000 characters at most)"};
    } else if (key == "strategy") {
      if (!value.is_string() ||
          (value != "round_robin" && value != "least_busy" && value != "skills_based"))
        return field_error{key, "strategy must be round_robin, least_busy or skills_based"};
    } else if (key == "botFlowId") {
      if (!value.is_null() && (!value.is_string() || !is_uuid(value.get<std::string>())))
        return field_error{key, "botFlowId must be a bot flow id or null"};
    } else if (key == "requiredSkills") {
      if (!value.is_array() || value.size() > 50)
        return field_error{key, "requiredSkills must be a list of skill names"};
      for (auto& s : value)
        if (!s.is_string() || s.get<std::string>().empty() || s.get<std::string>().size() > 50)
          return field_error{key, "each required skill must be a name of 1 to 50 characters"};
    } else if (key == "maxChatsPerAgent") {
      if (!value.is_number_integer() || value.get<long>() < 1 || value.get<long>() > 100)
        return field_error{key, "maxChatsPerAgent must be a whole number from 1 to 100"};
    } else if (key == "isActive") {
      if (!value.is_boolean())
        return field_error{key, "isActive must be true or false"};
    } else if (key == "numberIds" || key == "agentIds") {
      if (!id_list(value))
        return field_error{key, key + " must be a list of distinct ids"};
    } else if (key == "businessHours") {
      if (auto bad = check_week(value, key))
        return field_error{key, *bad};
    } else if (key == "contactWindows") {
      if (!value.is_null())
        if (auto bad = check_week(value, key))
          return field_error{key, *bad + " (null: the legal windows)"};
    } else {
      return field_error{key, "unknown field " + key};
    }
  }
  return std::nullopt;
}

/// The first id of `ids` with no row in `table` (empty when all exist).
std::string missing(pqxx::transaction_base& txn, const char* table, const json& ids) {
  auto rows = txn.exec_params(std::string{"select x::text from unnest($1::uuid[])"
                                          " with ordinality as u(x, i) where not exists"
                                          " (select 1 from "} +
                                  table + " t where t.id = u.x) order by i limit 1",
                              text_array(ids));
  return rows.empty() ? std::string{} : rows[0][0].as<std::string>();
}

/// Checks what the body refers to: the bot flow, the numbers, the agents.
std::optional<field_error> check_links(pqxx::transaction_base& txn, const json& b) {
  if (b.contains("botFlowId") && b["botFlowId"].is_string() &&
      txn.exec_params("select 1 from bot_flows where id = $1::uuid",
                      b["botFlowId"].get<std::string>())
          .empty())
    return field_error{"botFlowId", "no bot flow " + b["botFlowId"].get<std::string>()};
  if (b.contains("numberIds"))
    if (auto id = missing(txn, "whatsapp_numbers", b["numberIds"]); !id.empty())
      return field_error{"numberIds", "no WhatsApp number " + id};
  if (b.contains("agentIds"))
    if (auto id = missing(txn, "users", b["agentIds"]); !id.empty())
      return field_error{"agentIds", "no user " + id};
  return std::nullopt;
}

/// Replaces the campaign's numbers and agents with the lists given (when given).
void write_links(pqxx::work& txn, const std::string& id, const json& b) {
  if (b.contains("numberIds")) {
    auto ids = text_array(b["numberIds"]);
    txn.exec_params("update whatsapp_numbers set campaign_id = null, updated_at = now()"
                    " where campaign_id = $1::uuid and not (id = any ($2::uuid[]))",
                    id, ids);
    txn.exec_params("update whatsapp_numbers set campaign_id = $1::uuid, updated_at = now()"
                    " where id = any ($2::uuid[]) and campaign_id is distinct from $1::uuid",
                    id, ids);
  }
  if (b.contains("agentIds")) {
    txn.exec_params("delete from campaign_agents where campaign_id = $1::uuid", id);
    txn.exec_params("insert into campaign_agents (campaign_id, user_id)"
                    " select $1::uuid, x from unnest($2::uuid[]) x",
                    id, text_array(b["agentIds"]));
  }
}

/// An optional text[] parameter.
std::optional<std::string> opt_array(const json& b, const char* key) {
  return b.contains(key) ? std::optional<std::string>{text_array(b[key])} : std::nullopt;
}

/// Agents reach only the campaigns they belong to.
constexpr auto visible = R"sql(
  ($1 = '' or exists (select 1 from campaign_agents a where a.campaign_id = c.id
                        and a.user_id = nullif($1, '')::uuid))
)sql";

std::string viewer(const client_info& by) {
  return by.role == "agent" ? by.user_id : std::string{};
}

api_reply list(pqxx::transaction_base& txn, const json& f, const client_info& by) {
  auto page = f.value("page", std::int64_t{1});
  auto limit = f.value("limit", std::int64_t{50});
  auto active = str(f, "active");
  auto row = txn.exec_params1(
      std::string{"select coalesce(json_agg(campaign_json(s.campaign) order by s.ord), '[]')"
                  "::text, coalesce(max(s.total), 0) from (select c as campaign, row_number()"
                  " over (order by lower(c.name), c.id) as ord, count(*) over () as total"
                  " from campaigns c where "} +
          visible +
          " and ($2 = '' or c.is_active = ($2 = 'true'))"
          " order by lower(c.name), c.id limit $3 offset $4) s",
      viewer(by), active, limit, (page - 1) * limit);
  return answer(200, {{"items", json::parse(row[0].as<std::string>())},
                      {"total", row[1].as<std::int64_t>()},
                      {"page", page},
                      {"limit", limit}});
}

json one(pqxx::transaction_base& txn, const std::string& id, const client_info& by) {
  auto rows = txn.exec_params(std::string{"select campaign_json(c)::text from campaigns c"
                                          " where c.id = $2::uuid and "} +
                                  visible,
                              viewer(by), id);
  return rows.empty() ? json{} : json::parse(rows[0][0].as<std::string>());
}

api_reply write(crm_worker_state& st, const api_request& req, const json& b) {
  bool creating = req.op == "campaigns.create";
  if (auto bad = check_campaign(b, creating))
    return invalid(bad->field, bad->message);
  pqxx::work txn{st.connection()};
  std::string id = req.id;
  if (!creating &&
      txn.exec_params("select 1 from campaigns where id = $1::uuid for update", id).empty())
    return error(404, "not_found", "no such campaign");
  if (b.contains("name") && !txn.exec_params("select 1 from campaigns where lower(name) = lower($1)"
                                             " and ($2 = '' or id <> nullif($2, '')::uuid)",
                                             str(b, "name"), id)
                                 .empty())
    return error(409, "conflict", "a campaign with this name exists", {{"field", "name"}});
  if (auto bad = check_links(txn, b))
    return invalid(bad->field, bad->message);
  auto hours = b.contains("businessHours") ? std::optional<std::string>{b["businessHours"].dump()}
                                           : std::nullopt;
  if (creating) {
    id = txn.exec_params1("insert into campaigns (name, description, strategy, bot_flow_id,"
                          " required_skills, business_hours, contact_windows, max_chats_per_agent,"
                          " is_active) values ($1, coalesce($2, ''), coalesce($3, 'least_busy'),"
                          " $4::uuid, coalesce($5::text[], '{}'), coalesce($6::jsonb, '{}'),"
                          " $7::jsonb, coalesce($8::int, 5), coalesce($9::boolean, true))"
                          " returning id::text",
                          str(b, "name"), opt_text(b, "description"), opt_text(b, "strategy"),
                          opt_text(b, "botFlowId"), opt_array(b, "requiredSkills"), hours,
                          opt_text(b, "contactWindows"), opt_text(b, "maxChatsPerAgent"),
                          opt_text(b, "isActive"))[0]
             .as<std::string>();
  } else {
    // botFlowId and contactWindows may be set to null; absent keys keep what is stored.
    txn.exec_params(
        "update campaigns set name = coalesce($2, name), description = coalesce($3, description),"
        " strategy = coalesce($4, strategy),"
        " bot_flow_id = case when $10 then $5::uuid else bot_flow_id end,"
        " required_skills = coalesce($6::text[], required_skills),"
        " business_hours = coalesce($7::jsonb, business_hours),"
        " contact_windows = case when $11 then $8::jsonb else contact_windows end,"
        " max_chats_per_agent = coalesce($9::int, max_chats_per_agent),"
        " is_active = coalesce($12::boolean, is_active), updated_at = now()"
        " where id = $1::uuid",
        id, opt_text(b, "name"), opt_text(b, "description"), opt_text(b, "strategy"),
        opt_text(b, "botFlowId"), opt_array(b, "requiredSkills"), hours,
        opt_text(b, "contactWindows"), opt_text(b, "maxChatsPerAgent"), b.contains("botFlowId"),
        b.contains("contactWindows"), opt_text(b, "isActive"));
  }
  write_links(txn, id, b);
  auto campaign = one(txn, id, client_info{});
  txn.commit();
  return answer(creating ? 201 : 200, campaign, true);
}

api_reply remove(crm_worker_state& st, const api_request& req) {
  pqxx::work txn{st.connection()};
  if (txn.exec_params("select 1 from campaigns where id = $1::uuid for update", req.id).empty())
    return error(404, "not_found", "no such campaign");
  auto open = txn.exec_params1("select count(*) from chats where campaign_id = $1::uuid"
                               " and status <> 'closed'",
                               req.id)[0]
                  .as<std::int64_t>();
  if (open > 0)
    return error(409, "conflict",
                 "the campaign has " + std::to_string(open) + " open chats: close them first",
                 {{"openChats", open}});
  // Its numbers stay, without a campaign (the foreign key sets null); agents' links go.
  txn.exec_params("delete from campaigns where id = $1::uuid", req.id);
  txn.commit();
  return api_reply{204, "", "", 0, true};
}

/// "hoy a las 14:00", "mañana a las 07:00", "el lunes 30/11 a las 07:00": a local moment as
/// a debtor reads it.
std::string spanish_moment(contact::seconds at, contact::seconds now, const contact::policy& p) {
  using namespace std::chrono;
  auto offset = [&](contact::seconds t) {
    return p.offset_at ? p.offset_at(t) : p.utc_offset;
  };
  auto local = at + offset(at);
  auto day = floor<days>(local);
  auto today = floor<days>(now + offset(now));
  auto minute = duration_cast<minutes>(local - day).count();
  char clock[8];
  std::snprintf(clock, sizeof clock, "%02d:%02d", static_cast<int>(minute / 60),
                static_cast<int>(minute % 60));
  if (day == today)
    return std::string{"hoy a las "} + clock;
  if (day == today + days{1})
    return std::string{"mañana a las "} + clock;
  static const char* names[] = {"domingo", "lunes",   "martes", "miércoles",
                                "jueves",  "viernes", "sábado"};
  year_month_day ymd{day};
  char date[8];
  std::snprintf(date, sizeof date, "%02u/%02u", static_cast<unsigned>(ymd.day()),
                static_cast<unsigned>(ymd.month()));
  return std::string{"el "} + names[weekday{day}.c_encoding()] + " " + date + " a las " + clock;
}

/// Whether a campaign is inside its business hours now; when not, the next opening and the
/// notice for a waiting debtor. No hours set (the default `{}`) means always open.
api_reply business_hours(pqxx::transaction_base& txn, const contact::settings& s,
                         const std::string& campaign) {
  if (!is_uuid(campaign))
    return answer(200, {{"open", true}});
  auto rows =
      txn.exec_params("select business_hours::text from campaigns where id = $1::uuid", campaign);
  auto week = rows.empty() ? json::object() : json::parse(rows[0][0].as<std::string>());
  if (!week.is_object() || week.empty())
    return answer(200, {{"open", true}});
  static constexpr const char* keys[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  auto hours = s.rules; // the zone's clock; the team's own days and hours
  hours.holidays_closed = false;
  for (int d = 0; d < 7; ++d) {
    auto w = week.contains(keys[d]) ? week[keys[d]] : json();
    hours.windows[d] = w.is_string() ? contact::parse_window(w.get<std::string>())
                                     : std::optional<contact::window>{};
  }
  auto now = s.now();
  if (contact::inside_window(now, hours))
    return answer(200, {{"open", true}});
  auto next = contact::next_window(now, hours);
  auto reply = s.after_hours_reply;
  if (auto at = reply.find("{{nextOpen}}"); at != std::string::npos)
    reply.replace(at, 12, spanish_moment(next, now, hours));
  return answer(200, {{"open", false},
                      {"nextOpenAt", iso_utc(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 next.time_since_epoch())
                                                 .count())},
                      {"reply", reply}});
}

} // namespace

namespace crm_ops {

api_reply campaigns(crm_worker_state& st, const api_request& req, const json& b) {
  const auto& op = req.op;
  if (op == "campaigns.hours") {
    pqxx::read_transaction txn{st.connection()};
    return business_hours(txn, st.contact, str(b, "campaignId"));
  }
  if (op == "campaigns.list") {
    pqxx::read_transaction txn{st.connection()};
    return list(txn, b, req.by);
  }
  if (op == "campaigns.get") {
    pqxx::read_transaction txn{st.connection()};
    auto c = one(txn, req.id, req.by);
    return c.is_null() ? error(404, "not_found", "no such campaign") : answer(200, c);
  }
  if (op == "campaigns.create" || op == "campaigns.update") {
    try {
      return write(st, req, b);
    } catch (const pqxx::unique_violation&) {
      return error(409, "conflict", "a campaign with this name exists", {{"field", "name"}});
    }
  }
  if (op == "campaigns.delete")
    return remove(st, req);
  return error(404, "not_found", "no operation " + op);
}

} // namespace crm_ops

} // namespace crm::storage
