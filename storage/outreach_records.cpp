// Outreach: agents' proactive contacts, outbound campaign runs, opt-outs. Sending itself is
// the actors' (REGISTRY -> CHAT -> NUMBER); here every contact is reserved under the rules
// first and its outcome linked afterwards.
#include "storage/contact_records.hpp"
#include "storage/crm_records.hpp"
#include "storage/records.hpp"

#include <pqxx/except>
#include <pqxx/result>
#include <pqxx/subtransaction>
#include <pqxx/transaction>

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>

namespace crm::storage {

namespace {

using json = nlohmann::json;
using namespace records;

/// A template as the providers take it: {name, language, components?}.
std::optional<field_error> check_template(const json& t) {
  if (!t.is_object() || !t.contains("name") || !t["name"].is_string() ||
      t["name"].get<std::string>().empty())
    return field_error{"template", "template needs a name (an approved template's name)"};
  if (!t.contains("language") || !t["language"].is_string())
    return field_error{"template", "template needs a language, e.g. \"es\""};
  if (t.contains("components") && !t["components"].is_array())
    return field_error{"template", "template components must be a list"};
  return std::nullopt;
}

json attempt_of(const reservation& r) {
  return {{"attemptId", r.attempt}, {"numberId", r.number}, {"phone", r.phone}};
}

// -- outbound runs ------------------------------------------------------------------

/// The debtors a run's filters select (references, opted-out and erased debtors never).
constexpr auto select_targets = R"sql(
insert into outbound_targets (run_id, debtor_id, seq)
select $1::uuid, d.id, row_number() over (order by debtor_days(d) desc, d.debt_amount desc, d.id)
  from debtors d
 where d.party <> 'reference' and not d.opted_out and d.consent and d.erased_at is null
   and 'whatsapp' = any(d.authorized_channels)
   and exists (select 1 from debtor_phones p where p.debtor_id = d.id)
   and ($2::text[] is null or priority_of(debtor_days(d)) = any($2::text[]))
   and ($3::int is null or debtor_days(d) >= $3::int)
   and ($4::int is null or debtor_days(d) <= $4::int)
   and ($5::numeric is null or d.debt_amount >= $5::numeric)
   and ($6::numeric is null or d.debt_amount <= $6::numeric)
   and ($7::text[] is null or d.collection_status = any($7::text[]))
   and ($8::text[] is null or d.tags && $8::text[])
)sql";

constexpr auto run_json = R"sql(
select json_build_object('id', r.id, 'campaignId', r.campaign_id, 'filters', r.filters,
  'template', r.template, 'perMinute', r.per_minute, 'status', r.status, 'total', r.total,
  'waiting', count(*) filter (where t.state = 'waiting'),
  'sent', count(*) filter (where t.state = 'sent'),
  'skipped', count(*) filter (where t.state = 'skipped'),
  'skippedBy', coalesce((select json_object_agg(reason, n) from (select reason, count(*) n
    from outbound_targets where run_id = r.id and state = 'skipped' group by reason) s), '{}'),
  'createdBy', r.created_by, 'startedAt', iso_utc(r.started_at),
  'finishedAt', iso_utc(r.finished_at))::text
  from outbound_runs r left join outbound_targets t on t.run_id = r.id
)sql";

std::optional<std::string> list_filter(const json& f, const char* key) {
  if (!f.contains(key))
    return std::nullopt;
  auto v = f[key].is_string() ? json::array({f[key]}) : f[key];
  return text_array(v);
}

std::optional<field_error> check_filters(const json& f) {
  if (!f.is_object())
    return field_error{"filters", "filters must be an object"};
  static const std::set<std::string> known = {
      "priority", "minDaysOverdue", "maxDaysOverdue", "minAmount", "maxAmount", "status", "tags"};
  for (auto& [k, v] : f.items()) {
    if (!known.count(k))
      return field_error{"filters." + k, "unknown filter " + k};
    bool list = k == "priority" || k == "status" || k == "tags";
    if (list && !(v.is_string() || (v.is_array() && std::all_of(v.begin(), v.end(), [](auto& x) {
                                      return x.is_string();
                                    }))))
      return field_error{"filters." + k, k + " must be a text or a list of texts"};
    if (!list && !v.is_number())
      return field_error{"filters." + k, k + " must be a number"};
  }
  return std::nullopt;
}

api_reply start_run(crm_worker_state& st, const api_request& req, const json& b) {
  auto filters = b.value("filters", json::object());
  if (auto bad = check_filters(filters))
    return invalid(bad->field, bad->message);
  if (auto bad = check_template(b.value("template", json())))
    return invalid(bad->field, bad->message);
  auto per_minute = b.value("perMinute", json(20));
  if (!per_minute.is_number_integer() || per_minute.get<int>() < 1 || per_minute.get<int>() > 1000)
    return invalid("perMinute", "perMinute must be a whole number in 1..1000");
  pqxx::work txn{st.connection()};
  if (txn.exec_params("select 1 from campaigns where id = $1::uuid and is_active", req.id).empty())
    return error(404, "not_found", "no such active campaign");
  if (txn.exec_params("select 1 from whatsapp_numbers where campaign_id = $1::uuid", req.id)
          .empty())
    return error(409, "no_number", "the campaign has no WhatsApp number to send from");
  auto run = txn.exec_params1("insert into outbound_runs (campaign_id, filters, template,"
                              " per_minute, created_by) values ($1::uuid, $2::jsonb, $3::jsonb,"
                              " $4, nullif($5, '')::uuid) returning id",
                              req.id, filters.dump(), b["template"].dump(), per_minute.get<int>(),
                              req.by.user_id)[0]
                 .as<std::string>();
  auto num = [&](const char* k) {
    return filters.contains(k) ? std::optional<std::string>{filters[k].dump()} : std::nullopt;
  };
  auto total =
      txn.exec_params(select_targets, run, list_filter(filters, "priority"), num("minDaysOverdue"),
                      num("maxDaysOverdue"), num("minAmount"), num("maxAmount"),
                      list_filter(filters, "status"), list_filter(filters, "tags"))
          .affected_rows();
  txn.exec_params("update outbound_runs set total = $2, status = case when $2 = 0 then"
                  " 'finished' else status end, finished_at = case when $2 = 0 then now() end"
                  " where id = $1::uuid",
                  run, static_cast<long long>(total));
  auto row = txn.exec_params1(std::string{run_json} + " where r.id = $1::uuid group by r.id", run);
  txn.commit();
  return answer(201, json::parse(row[0].as<std::string>()));
}

/// The next sends of every running run: paced (at most perMinute in any minute, spread
/// over the ticks), only inside the campaign's contact window; targets the rules refuse for
/// the day or week are skipped with the rule as reason.
api_reply next_jobs(crm_worker_state& st) {
  pqxx::work txn{st.connection()};
  json jobs = json::array();
  auto now = st.contact.now();
  for (auto run : txn.exec("select id, campaign_id, per_minute, template::text from outbound_runs"
                           " where status = 'running' order by started_at")) {
    auto id = run[0].as<std::string>(), campaign = run[1].as<std::string>();
    auto per_minute = run[2].as<int>();
    if (!contact::inside_window(now, policy_of(txn, st.contact, campaign).rules))
      continue; // waits for the next window
    auto recent = txn.exec_params1("select count(*) from contact_attempts where run_id ="
                                   " $1::uuid and created_at > to_timestamp($2) - interval"
                                   " '1 minute'",
                                   id, now.time_since_epoch().count())[0]
                      .as<int>();
    int allowance = std::min(per_minute - recent, static_cast<int>(std::ceil(per_minute / 60.0)));
    auto waiting = txn.exec_params("select debtor_id from outbound_targets where run_id = $1::uuid"
                                   " and state = 'waiting' order by seq limit $2",
                                   id, std::max(allowance, 0) * 4 + 1);
    if (waiting.empty()) {
      txn.exec_params("update outbound_runs set status = 'finished', finished_at = now()"
                      " where id = $1::uuid",
                      id);
      continue;
    }
    for (auto t : waiting) {
      if (allowance <= 0)
        break;
      auto debtor = t[0].as<std::string>();
      contact_ask ask{debtor, "campaign", "", campaign, id, "", run[3].as<std::string>()};
      auto got = reserve(txn, st.contact, ask);
      if (auto* r = std::get_if<reservation>(&got)) {
        txn.exec_params("update outbound_targets set state = 'sent', attempt_id = $3::uuid"
                        " where run_id = $1::uuid and debtor_id = $2::uuid",
                        id, debtor, r->attempt);
        auto job = attempt_of(*r);
        job["runId"] = id;
        job["template"] = json::parse(run[3].as<std::string>());
        jobs.push_back(std::move(job));
        --allowance;
        continue;
      }
      auto refusal = json::parse(std::get<api_reply>(got).body, nullptr, false);
      auto rule = refusal.is_object() ? refusal["error"]
                                            .value("details", json::object())
                                            .value("rule", std::string{"not_found"})
                                      : std::string{"error"};
      txn.exec_params("update outbound_targets set state = 'skipped', reason = $3"
                      " where run_id = $1::uuid and debtor_id = $2::uuid",
                      id, debtor, rule);
    }
  }
  txn.commit();
  return answer(200, {{"jobs", std::move(jobs)}});
}

} // namespace

namespace crm_ops {

api_reply contacts(crm_worker_state& st, const api_request& req, const json& b) {
  const auto& op = req.op;
  if (op == "contacts.reserve") {
    auto debtor = str(b, "debtorId");
    if (!is_uuid(debtor))
      return error(404, "not_found", "no such debtor");
    if (auto bad = check_template(b.value("template", json())))
      return invalid(bad->field, bad->message);
    auto number = str(b, "numberId");
    if (!number.empty() && !is_uuid(number))
      return invalid("numberId", "numberId must be a WhatsApp number's id");
    pqxx::work txn{st.connection()};
    if (visible_debtor(txn, debtor, req.by).is_null())
      return error(404, "not_found", "no such debtor");
    contact_ask ask{debtor, "agent", number, "", "", req.by.user_id, b["template"].dump()};
    auto got = reserve(txn, st.contact, ask);
    if (auto* refused = std::get_if<api_reply>(&got))
      return *refused;
    txn.commit();
    return answer(201, attempt_of(std::get<reservation>(got)));
  }
  if (op == "contacts.chat") {
    // A template an agent sends in an existing chat whose 24-hour window has closed starts
    // a new contact, so it is reserved like any other; inside the window it is an answer.
    auto chat = str(b, "chatId");
    if (!is_uuid(chat))
      return answer(200, {{"proactive", false}});
    pqxx::work txn{st.connection()};
    auto c = txn.exec_params(
        "select coalesce(debtor_id::text, ''), number_id::text, coalesce(campaign_id::text, ''),"
        " coalesce(last_inbound_at > now() - interval '24 hours', false),"
        " coalesce(agent_id::text, '') from chats where id = $1::uuid and status <> 'closed'",
        chat);
    // Unknown, answered in time, no debtor to count against, or not the agent's own chat
    // (the CHAT refuses that one itself): nothing to reserve.
    if (c.empty() || c[0][0].as<std::string>().empty() || c[0][3].as<bool>() ||
        (req.by.role == "agent" && c[0][4].as<std::string>() != req.by.user_id))
      return answer(200, {{"proactive", false}});
    contact_ask ask{c[0][0].as<std::string>(),
                    "agent",
                    c[0][1].as<std::string>(),
                    c[0][2].as<std::string>(),
                    "",
                    req.by.user_id,
                    b.value("template", json::object()).dump()};
    auto got = reserve(txn, st.contact, ask);
    if (auto* refused = std::get_if<api_reply>(&got))
      return *refused;
    txn.commit();
    auto result = attempt_of(std::get<reservation>(got));
    result["proactive"] = true;
    return answer(201, result);
  }
  if (op == "contacts.record") {
    // A contact made outside the CRM (a call, an SMS, an e-mail, a visit): it counts against
    // the daily cap and the one-channel-a-week rule like a WhatsApp one. It already happened,
    // so it is recorded either way; the answer says which rule it broke, if any.
    static const std::set<std::string> channels = {"call", "sms", "email", "visit", "letter"};
    auto channel = str(b, "channel");
    if (!channels.count(channel))
      return invalid("channel", "channel must be call, sms, email, visit or letter");
    auto at = str(b, "at");
    static const std::regex iso_like{
        R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))"};
    if (!at.empty() && !std::regex_match(at, iso_like))
      return invalid("at", "at must be an ISO-8601 time such as 2026-11-27T15:04:05Z");
    if (b.contains("note") &&
        (!b["note"].is_string() || b["note"].get<std::string>().size() > 4000))
      return invalid("note", "note must be text of up to 4000 bytes");
    pqxx::work txn{st.connection()};
    auto debtor = visible_debtor(txn, req.id, req.by);
    if (debtor.is_null())
      return error(404, "not_found", "no such debtor");
    auto now = st.contact.now();
    std::int64_t when = now.time_since_epoch().count();
    if (!at.empty()) {
      try {
        pqxx::subtransaction sub{txn};
        when = sub.exec_params1("select extract(epoch from $1::timestamptz)::bigint", at)[0]
                   .as<std::int64_t>();
        sub.commit();
      } catch (const pqxx::data_exception&) {
        return invalid("at", "at is not a valid time");
      }
      auto current = now.time_since_epoch().count();
      if (when > current + 300 || when < current - 31 * 86400)
        return invalid("at", "at must be within the last 31 days and not in the future");
    }
    auto policy = policy_of(txn, st.contact, "").rules;
    contact::seconds moment{std::chrono::seconds{when}};
    auto verdict = contact::check(
        moment, channel, past_contacts(txn, req.id, moment, st.contact.two_way_only), policy);
    auto row = txn.exec_params1(
        "insert into contact_attempts (debtor_id, channel, kind, by_user, to_phone, status,"
        " note, counted_as, created_at) values ($1::uuid, $2, 'agent', nullif($3, '')::uuid,"
        " coalesce((select p.phone from debtor_phones p where p.debtor_id = $1::uuid"
        " order by p.is_primary desc, p.phone limit 1), ''), 'sent', $4, $5, to_timestamp($6))"
        " returning contact_attempt_json(contact_attempts)::text",
        req.id, channel, req.by.user_id, str(b, "note"),
        st.contact.two_way_only ? "two_way" : "attempts", when);
    txn.commit();
    auto result = json::parse(row[0].as<std::string>());
    result["compliant"] = verdict.allowed;
    if (!verdict.allowed)
      result["brokenRule"] = verdict.rule;
    return answer(201, result);
  }
  if (op == "contacts.link") {
    pqxx::work txn{st.connection()};
    link_attempt(txn, b);
    txn.commit();
    return answer(200, {{"ok", true}});
  }
  if (op == "contacts.list") {
    pqxx::read_transaction txn{st.connection()};
    if (visible_debtor(txn, req.id, req.by).is_null())
      return error(404, "not_found", "no such debtor");
    return whole_list(txn.exec_params1("select coalesce(json_agg(contact_attempt_json(a) order by "
                                       "a.created_at desc), '[]')::text"
                                       " from contact_attempts a where a.debtor_id = $1::uuid",
                                       req.id)[0]
                          .as<std::string>());
  }
  if (op == "contacts.opt_out") {
    // Every debtor with this phone stops receiving proactive contact, and so does the phone
    // (known or not); the first time only is confirmed.
    pqxx::work txn{st.connection()};
    auto changed = txn.exec_params(
        "update debtors d set opted_out = true, opted_out_at = now(), updated_at = now()"
        " where d.id in (select p.debtor_id from debtor_phones p where p.phone = $1)"
        " and not d.opted_out returning d.id",
        str(b, "phone"));
    txn.exec_params("update outbound_targets t set state = 'skipped', reason = 'opted_out'"
                    " where t.state = 'waiting' and t.debtor_id in (select p.debtor_id from"
                    " debtor_phones p where p.phone = $1)",
                    str(b, "phone"));
    // The phone itself is remembered, so a debtor added with it later starts opted out.
    auto listed = txn.exec_params("insert into opted_out_phones (phone) values ($1)"
                                  " on conflict do nothing returning phone",
                                  str(b, "phone"));
    txn.commit();
    return answer(200, {{"confirm", !changed.empty() || !listed.empty()},
                        {"reply", st.contact.opt_out_reply},
                        {"debtors", static_cast<int>(changed.size())}});
  }
  return error(404, "not_found", "no operation " + op);
}

api_reply outbound(crm_worker_state& st, const api_request& req, const json& b) {
  const auto& op = req.op;
  if (op == "outbound.next")
    return next_jobs(st);
  if (op == "outbound.start")
    return start_run(st, req, b);
  if (op == "outbound.list") {
    pqxx::read_transaction txn{st.connection()};
    return whole_list(txn.exec_params1("select coalesce(json_agg(x.j::json order by "
                                       "x.j::json->>'startedAt' desc), '[]')::text"
                                       " from (" +
                                           std::string{run_json} +
                                           " where r.campaign_id = $1::uuid group by r.id) x(j)",
                                       req.id)[0]
                          .as<std::string>());
  }
  if (op == "outbound.get" || op == "outbound.cancel") {
    pqxx::work txn{st.connection()};
    if (op == "outbound.cancel" &&
        txn.exec_params("update outbound_runs set status = 'cancelled', finished_at = now()"
                        " where id = $1::uuid and status = 'running' returning id",
                        req.id)
            .empty() &&
        txn.exec_params("select 1 from outbound_runs where id = $1::uuid", req.id).empty())
      return error(404, "not_found", "no such outbound run");
    auto rows =
        txn.exec_params(std::string{run_json} + " where r.id = $1::uuid group by r.id", req.id);
    if (rows.empty())
      return error(404, "not_found", "no such outbound run");
    txn.commit();
    return answer(200, json::parse(rows[0][0].as<std::string>()));
  }
  return error(404, "not_found", "no operation " + op);
}

} // namespace crm_ops

} // namespace crm::storage
