// Reports for supervisors (definitions in docs/reports.md), computed by SQL over indexed
// tables. Dates are the business calendar (the connection's TimeZone is CRM_TIMEZONE): a
// plain date `to` includes that whole day. Every report also answers as CSV.
#include "domain/csv.hpp"
#include "domain/report_math.hpp"
#include "storage/crm_records.hpp"
#include "storage/records.hpp"

#include <pqxx/except>
#include <pqxx/result>
#include <pqxx/transaction>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace crm::storage {

namespace {

using json = nlohmann::json;
using namespace records;

/// The range as SQL parameters: `from` (default: the first of this month), `to` (default:
/// now); a plain date `to` reaches the end of that day.
constexpr auto range_sql = R"sql(
select f, t, iso_utc(f), iso_utc(t), t - f > interval '731 days' from (select
  coalesce(case when length($1) = 10 then $1::date::timestamptz else $1::timestamptz end,
           date_trunc('month', now())) as f,
  coalesce(case when length($2) = 10 then ($2::date + 1)::timestamptz else $2::timestamptz end,
           now()) as t) r
)sql";

// The range split between rollups and live reads (migration 017): `rolled` are the local
// days inside [$1, $2) summed from their start up to `upto` (the day's end, or for today a
// few minutes ago); `gaps` the rest of the range, read live. Every report starts with these.
constexpr std::string_view report_scope = R"sql(
with rolled as materialized (
  select day, cutoff, upto from report_days
   where tz = current_setting('TimeZone')
     and day::timestamptz >= $1::timestamptz and upto <= $2::timestamptz
), gaps as materialized (
  select greatest(coalesce(r.upto, g), $1::timestamptz) as s,
         least(g + interval '1 day', $2::timestamptz) as e
    from generate_series(date_trunc('day', $1::timestamptz),
                         $2::timestamptz - interval '1 microsecond', interval '1 day') g
    left join rolled r on r.day = g::date
   where greatest(coalesce(r.upto, g), $1::timestamptz) < least(g + interval '1 day', $2::timestamptz)
), late_since as (select min(cutoff) as at from rolled)
)sql";

// Chats opened in the range: the rolled days' closed chats, plus live the chats opened in
// the gaps and the rolled days' chats still open or closed after the cutoff.
constexpr std::string_view report_chats = R"sql(, opened as (
  select x.day, x.campaign_id, x.number_id, x.agent_id, x.status, x.priority, x.outcome, x.chats
    from report_chat_days x join rolled r on r.day = x.day
   where x.tz = current_setting('TimeZone')
  union all
  select x.* from gaps cross join lateral chats_opened_between(gaps.s, gaps.e, null) x
  union all
  select c.opened_at::date, c.campaign_id, c.number_id, c.agent_id, c.status, c.priority,
         c.outcome, 1
    from (select * from chats where closed_at is null
          union all
          select * from chats where closed_at >= (select at from late_since)) c
    join rolled r on r.day = c.opened_at::date and c.opened_at < r.upto
   where c.closed_at is null or c.closed_at >= r.cutoff
)
)sql";

// Messages in the range: the rolled days' sums, plus live those of the gaps.
constexpr std::string_view report_traffic = R"sql(, traffic as (
  select x.day, x.campaign_id, x.number_id, x.sent_by, x.inbound, x.outbound
    from report_traffic_days x join rolled r on r.day = x.day
   where x.tz = current_setting('TimeZone')
  union all
  select x.* from gaps cross join lateral traffic_between(gaps.s, gaps.e) x
)
)sql";

const std::string agents_sql = std::string(report_scope) + R"sql(, live as (
  select h.* from gaps cross join lateral agent_handlings(gaps.s, gaps.e) h
  union all
  select h.* from late_handlings((select at from late_since), $1, $2) h
    join rolled r on r.day = h.assigned_at::date and h.assigned_at < r.upto
   where h.chat_closed_at is null or h.chat_closed_at >= r.cutoff
), h as (
  select * from (
    select x.agent_id, x.campaign_id, x.number_id, x.outcome, x.handled, x.closed, x.answered,
           x.unanswered, x.tmr_seconds, x.tmo_seconds
      from report_agent_days x join rolled r on r.day = x.day
     where x.tz = current_setting('TimeZone')
    union all
    select l.agent_id, l.campaign_id, l.number_id, l.outcome, 1, l.closed::int, t.answered,
           t.unanswered, t.tmr_seconds, t.tmo_seconds
      from live l
      cross join lateral handling_terms(l.closed, l.response_from, l.first_reply_at,
                                        l.assigned_at, l.released_at) t) all_handlings
   where ($3 = '' or campaign_id = nullif($3, '')::uuid)
     and ($4 = '' or agent_id = nullif($4, '')::uuid)
     and ($5 = '' or number_id = nullif($5, '')::uuid)
), outcomes as (
  select agent_id, json_object_agg(outcome, n) as outcomes
    from (select agent_id, outcome, sum(closed) as n from h where outcome is not null
           group by agent_id, outcome) o
   group by agent_id
), per_agent as (
  select agent_id, sum(handled) as handled, sum(closed) as closed,
         sum(tmr_seconds) as tmr, sum(answered) as answered, sum(unanswered) as unanswered,
         sum(tmo_seconds) as tmo
    from h group by agent_id
)
)sql" + std::string(report_traffic) +
                               R"sql(, sent as (
  select sent_by as agent_id, sum(outbound) as n from traffic
   where sent_by is not null
     and ($3 = '' or campaign_id = nullif($3, '')::uuid)
     and ($5 = '' or number_id = nullif($5, '')::uuid)
   group by sent_by
), status as (
  select agent_id, json_object_agg(status, round(seconds)) as seconds,
         sum(seconds) filter (where status in ('available', 'busy')) as logged
    from agent_status_seconds($1, $2) group by agent_id
), promised as (
  select p.created_by as agent_id, count(*) as made, sum(p.amount) as amount,
         count(*) filter (where p.paid_total >= p.amount) as kept,
         count(*) filter (where p.due_date < business_today() and p.paid_total = 0) as broken,
         count(*) filter (where p.due_date < business_today() and p.paid_total > 0
                            and p.paid_total < p.amount) as partial,
         sum(p.paid_total) as recovered
    from payment_promises p
   where p.created_by is not null and p.created_at >= $1 and p.created_at < $2
     and ($3 = '' or p.chat_id in (select id from chats where campaign_id = nullif($3, '')::uuid))
     and ($5 = '' or p.chat_id in (select id from chats where number_id = nullif($5, '')::uuid))
   group by p.created_by
)
select u.id, u.full_name, coalesce(a.handled, 0), coalesce(a.closed, 0),
       coalesce(o.outcomes, '{}')::text, coalesce(a.tmr, 0), coalesce(a.answered, 0),
       coalesce(a.unanswered, 0), coalesce(a.tmo, 0), coalesce(s.n, 0), st.logged,
       coalesce(st.seconds, '{}')::text, coalesce(p.made, 0), coalesce(p.amount, 0),
       coalesce(p.kept, 0), coalesce(p.broken, 0), coalesce(p.partial, 0),
       coalesce(p.recovered, 0)
  from users u
  join roles r on r.id = u.role_id and r.name = 'agent'
  left join per_agent a on a.agent_id = u.id
  left join outcomes o on o.agent_id = u.id
  left join sent s on s.agent_id = u.id
  left join status st on st.agent_id = u.id
  left join promised p on p.agent_id = u.id
 where ($4 = '' or u.id = nullif($4, '')::uuid)
   and (u.is_active or a.handled is not null)
 order by u.full_name, u.id
)sql";

constexpr auto overview_sql = R"sql(
select
  (select coalesce(json_object_agg(status, n), '{}') from (
     select u.status, count(*) n from users u join roles r on r.id = u.role_id
      where r.name = 'agent' and u.is_active group by u.status) s)::text,
  (select count(*) from chats where status = 'queued'),
  (select extract(epoch from now() - min(queued_at)) from chats where status = 'queued'),
  (select count(*) from chats where status = 'bot'),
  (select coalesce(json_agg(json_build_object('agentId', u.id, 'fullName', u.full_name,
                                              'status', u.status, 'openChats', n,
                                              'capacity', u.max_concurrent_chats)
                            order by u.full_name), '[]')
     from users u join roles r on r.id = u.role_id and r.name = 'agent'
     cross join lateral (select count(*) n from chats c
                          where c.agent_id = u.id and c.status = 'assigned') c
    where u.is_active)::text,
  (select count(*) from messages where created_at > now() - interval '1 hour'
                                   and direction = 'in'),
  (select count(*) from messages where created_at > now() - interval '1 hour'
                                   and direction = 'out')
)sql";

/// The range of a report: `from`, `to` as instants for SQL and as ISO-8601 for the answer;
/// nullopt (and the answer in `refused`) when it is empty or longer than two years.
struct report_range {
  std::string from, to, from_iso, to_iso;
};

std::optional<report_range> range_of(pqxx::transaction_base& txn, const json& f,
                                     api_reply& refused) {
  auto r = txn.exec_params1(range_sql, opt_text(f, "from"), opt_text(f, "to"));
  report_range range{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                     r[3].as<std::string>()};
  if (range.from_iso >= range.to_iso) {
    refused = invalid("to", "the range is empty: to must come after from");
    return std::nullopt;
  }
  if (r[4].as<bool>()) {
    refused = invalid("from", "a report covers at most two years");
    return std::nullopt;
  }
  return range;
}

double number_or_zero(const pqxx::field& f) {
  return f.is_null() ? 0.0 : f.as<double>();
}

json optional_number(std::optional<double> x) {
  return x ? json(*x) : json(nullptr);
}

json nullable_seconds(const pqxx::field& f) {
  return f.is_null() ? json(nullptr) : json(std::round(f.as<double>() * 10) / 10);
}

api_reply agents(pqxx::transaction_base& txn, const json& f) {
  api_reply refused;
  auto range = range_of(txn, f, refused);
  if (!range)
    return refused;
  auto& from = range->from;
  auto& to = range->to;
  json items = json::array();
  for (auto r : txn.exec_params(agents_sql, from, to, str(f, "campaignId"), str(f, "agentId"),
                                str(f, "numberId"))) {
    double logged = number_or_zero(r[10]);
    auto sent = r[9].as<std::int64_t>();
    auto handled = r[2].as<std::int64_t>();
    auto closed = r[3].as<std::int64_t>();
    auto answered = r[6].as<std::int64_t>();
    auto outcomes = json::parse(r[4].as<std::string>());
    items.push_back(
        {{"agentId", r[0].as<std::string>()},
         {"fullName", r[1].as<std::string>()},
         {"chatsHandled", handled},
         {"chatsClosed", closed},
         {"outcomes", outcomes},
         {"tmrSeconds", optional_number(report_math::average(r[5].as<double>(), answered))},
         {"answeredChats", answered},
         {"unansweredChats", r[7].as<std::int64_t>()},
         {"tmoSeconds", optional_number(report_math::average(r[8].as<double>(), closed))},
         {"messagesSent", sent},
         {"hoursLoggedIn", report_math::hours(logged)},
         {"sph", optional_number(report_math::per_hour(sent, logged))},
         {"statusSeconds", json::parse(r[11].as<std::string>())},
         {"promisesMade", r[12].as<std::int64_t>()},
         {"promisedAmount", r[13].as<double>()},
         {"promisesKept", r[14].as<std::int64_t>()},
         {"promisesBroken", r[15].as<std::int64_t>()},
         {"promisesPartiallyKept", r[16].as<std::int64_t>()},
         {"amountRecovered", r[17].as<double>()},
         {"effectiveness",
          optional_number(report_math::effectiveness(outcomes.value("promise", 0),
                                                     outcomes.value("paid", 0), handled))}});
  }
  return answer(200, {{"from", range->from_iso},
                      {"to", range->to_iso},
                      {"items", items},
                      {"total", items.size()}});
}

api_reply overview(pqxx::transaction_base& txn) {
  auto r = txn.exec1(overview_sql);
  return answer(200, {{"agentsByStatus", json::parse(r[0].as<std::string>())},
                      {"queueLength", r[1].as<std::int64_t>()},
                      {"oldestWaitSeconds", nullable_seconds(r[2])},
                      {"withBot", r[3].as<std::int64_t>()},
                      {"agents", json::parse(r[4].as<std::string>())},
                      {"messagesLastHour",
                       {{"in", r[5].as<std::int64_t>()}, {"out", r[6].as<std::int64_t>()}}}});
}

const std::string distribution_sql = std::string(report_scope) + std::string(report_chats) + R"sql(
select coalesce(k, 'none'), sum(chats) from (
  select case $6 when 'status' then o.status when 'priority' then o.priority
                 when 'outcome' then o.outcome
                 else cp.name end as k, o.chats
    from opened o left join campaigns cp on cp.id = o.campaign_id
   where ($3 = '' or o.campaign_id = nullif($3, '')::uuid)
     and ($4 = '' or o.agent_id = nullif($4, '')::uuid)
     and ($5 = '' or o.number_id = nullif($5, '')::uuid)) x
 group by 1 order by 2 desc, 1
)sql";

// One row per local day of the range; days without activity show zeros.
const std::string trends_sql = std::string(report_scope) + std::string(report_chats) +
                               std::string(report_traffic) + R"sql(, days as (
  select d::date as day
    from generate_series(($1::timestamptz)::date::timestamp,
                         ($2::timestamptz - interval '1 microsecond')::date::timestamp,
                         interval '1 day') d
), opened_per_day as (
  select day, sum(chats) as n from opened
   where ($3 = '' or campaign_id = nullif($3, '')::uuid)
     and ($4 = '' or agent_id = nullif($4, '')::uuid)
     and ($5 = '' or number_id = nullif($5, '')::uuid)
   group by 1
), msgs as (
  select day, sum(inbound) as inbound, sum(outbound) as outbound from traffic
   where ($3 = '' or campaign_id = nullif($3, '')::uuid)
     and ($5 = '' or number_id = nullif($5, '')::uuid)
     and ($4 = '' or sent_by = nullif($4, '')::uuid)
   group by 1
), promised as (
  select created_at::date as day, count(*) as n, sum(amount) as amount from payment_promises p
   where created_at >= $1 and created_at < $2
     and ($4 = '' or p.created_by = nullif($4, '')::uuid)
     and ($3 = '' or p.chat_id in (select id from chats where campaign_id = nullif($3, '')::uuid))
     and ($5 = '' or p.chat_id in (select id from chats where number_id = nullif($5, '')::uuid))
   group by 1
), paid as (
  -- With a filter, only payments against a promise count: the promise names the agent who
  -- obtained it and its chat names the campaign and number.
  select x.paid_on as day, sum(x.amount) as amount from payments x
    left join payment_promises p on p.id = x.promise_id
    left join chats c on c.id = p.chat_id
   where x.paid_on >= ($1::timestamptz)::date
     and x.paid_on <= ($2::timestamptz - interval '1 microsecond')::date
     and ($4 = '' or p.created_by = nullif($4, '')::uuid)
     and ($3 = '' or c.campaign_id = nullif($3, '')::uuid)
     and ($5 = '' or c.number_id = nullif($5, '')::uuid)
   group by 1
)
select to_char(d.day, 'YYYY-MM-DD'), coalesce(o.n, 0), coalesce(m.inbound, 0),
       coalesce(m.outbound, 0), coalesce(p.n, 0), coalesce(p.amount, 0), coalesce(y.amount, 0)
  from days d left join opened_per_day o using (day) left join msgs m using (day)
  left join promised p using (day) left join paid y using (day)
 order by d.day
)sql";

api_reply rankings(pqxx::transaction_base& txn, const json& f) {
  static const std::map<std::string, bool> metrics = {// metric -> lower is better
                                                      {"tmr", true},
                                                      {"tmo", true},
                                                      {"sph", false},
                                                      {"chatsHandled", false},
                                                      {"chatsClosed", false},
                                                      {"effectiveness", false},
                                                      {"messagesSent", false},
                                                      {"hoursLoggedIn", false},
                                                      {"promisesMade", false},
                                                      {"promisedAmount", false},
                                                      {"promisesKept", false},
                                                      {"promisesPartiallyKept", false},
                                                      {"promisesBroken", true},
                                                      {"amountRecovered", false}};
  static const std::map<std::string, std::string> field = {{"tmr", "tmrSeconds"},
                                                           {"tmo", "tmoSeconds"}};
  auto metric = str(f, "metric").empty() ? std::string{"effectiveness"} : str(f, "metric");
  auto it = metrics.find(metric);
  if (it == metrics.end()) {
    std::string names;
    for (auto& [name, lower] : metrics)
      names += (names.empty() ? "" : ", ") + name;
    return invalid("metric", "metric must be one of " + names);
  }
  auto report = agents(txn, f);
  if (report.status != 200)
    return report;
  auto body = json::parse(report.body);
  auto key = field.count(metric) ? field.at(metric) : metric;
  std::vector<report_math::rank_entry> entries;
  std::map<std::string, const json*> by_id;
  for (auto& a : body["items"]) {
    auto& v = a[key];
    entries.push_back({a["agentId"].get<std::string>(),
                       v.is_null() ? std::nullopt : std::optional<double>(v.get<double>())});
    by_id[entries.back().agent_id] = &a;
  }
  // Agents without a value (nothing answered, no time logged in) come last, without a rank.
  json ranked = json::array();
  for (auto& e : report_math::rank(std::move(entries), it->second)) {
    auto& a = *by_id.at(e.agent_id);
    ranked.push_back({{"agentId", a["agentId"]}, {"fullName", a["fullName"]}, {"value", a[key]}});
    if (e.rank > 0)
      ranked.back()["rank"] = e.rank;
  }
  return answer(200, {{"metric", metric},
                      {"from", body["from"]},
                      {"to", body["to"]},
                      {"items", ranked},
                      {"total", ranked.size()}});
}

api_reply distribution(pqxx::transaction_base& txn, const json& f) {
  auto by = str(f, "by").empty() ? std::string{"status"} : str(f, "by");
  if (by != "status" && by != "campaign" && by != "priority" && by != "outcome")
    return invalid("by", "by must be status, campaign, priority or outcome");
  api_reply refused;
  auto range = range_of(txn, f, refused);
  if (!range)
    return refused;
  json items = json::array();
  for (auto r : txn.exec_params(distribution_sql, range->from, range->to, str(f, "campaignId"),
                                str(f, "agentId"), str(f, "numberId"), by))
    items.push_back({{"key", r[0].as<std::string>()}, {"chats", r[1].as<std::int64_t>()}});
  return answer(200, {{"by", by},
                      {"from", range->from_iso},
                      {"to", range->to_iso},
                      {"items", items},
                      {"total", items.size()}});
}

api_reply trends(pqxx::transaction_base& txn, const json& f) {
  api_reply refused;
  auto range = range_of(txn, f, refused);
  if (!range)
    return refused;
  json items = json::array();
  // A debtor's message is not anybody's: per agent, only what the agent sent is counted.
  auto per_agent = !str(f, "agentId").empty();
  for (auto r : txn.exec_params(trends_sql, range->from, range->to, str(f, "campaignId"),
                                str(f, "agentId"), str(f, "numberId")))
    items.push_back({{"day", r[0].as<std::string>()},
                     {"chatsOpened", r[1].as<std::int64_t>()},
                     {"messagesIn", per_agent ? json(nullptr) : json(r[2].as<std::int64_t>())},
                     {"messagesOut", r[3].as<std::int64_t>()},
                     {"promisesMade", r[4].as<std::int64_t>()},
                     {"promisedAmount", r[5].as<double>()},
                     {"amountRecovered", r[6].as<double>()}});
  return answer(200, {{"from", range->from_iso},
                      {"to", range->to_iso},
                      {"items", items},
                      {"total", items.size()}});
}

/// A report's rows as CSV, in the given column order; nested objects as JSON text.
api_reply as_csv(const api_reply& report, const char* list,
                 const std::vector<std::string>& columns) {
  auto body = json::parse(report.body);
  auto rows = list ? body[list] : json::array({body});
  std::string out;
  for (std::size_t i = 0; i < columns.size(); ++i)
    out += (i ? "," : "") + csv::field(columns[i]);
  out += "\r\n";
  for (auto& row : rows) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      auto& v = row[columns[i]];
      out += (i ? "," : "") + csv::field(v.is_string() ? v.get<std::string>()
                                         : v.is_null() ? std::string{}
                                                       : v.dump());
    }
    out += "\r\n";
  }
  return api_reply{200, std::move(out), "text/csv; charset=utf-8", 0, false};
}

const std::vector<std::string> agent_columns = {"agentId",
                                                "fullName",
                                                "chatsHandled",
                                                "chatsClosed",
                                                "answeredChats",
                                                "unansweredChats",
                                                "tmrSeconds",
                                                "tmoSeconds",
                                                "messagesSent",
                                                "hoursLoggedIn",
                                                "sph",
                                                "promisesMade",
                                                "promisedAmount",
                                                "promisesKept",
                                                "promisesBroken",
                                                "promisesPartiallyKept",
                                                "amountRecovered",
                                                "outcomes",
                                                "statusSeconds"};

const std::vector<std::string> overview_columns = {"queueLength",    "oldestWaitSeconds", "withBot",
                                                   "agentsByStatus", "messagesLastHour",  "agents"};

/// Rolls up past days for about `budgetMs` (the worker answers nobody else meanwhile).
api_reply rollup(crm_worker_state& st, const json& f) {
  pqxx::work txn{st.connection()};
  auto budget = std::to_string(std::clamp(f.value("budgetMs", 300), 10, 60000)) + " ms";
  auto days = txn.exec_params1("select report_roll_pending($1::interval)", budget)[0].as<int>();
  txn.commit();
  return answer(200, {{"days", days}});
}

} // namespace

namespace crm_ops {

api_reply reports(crm_worker_state& st, const api_request& req, const json& f) {
  if (req.op == "reports.rollup") // the SCHEDULER's: past days summed, time-boxed
    return rollup(st, f);
  pqxx::read_transaction txn{st.connection()};
  bool csv = str(f, "format") == "csv";
  if (req.op == "reports.agents") {
    auto r = agents(txn, f);
    return csv && r.status == 200 ? as_csv(r, "items", agent_columns) : r;
  }
  if (req.op == "reports.rankings") {
    auto r = rankings(txn, f);
    return csv && r.status == 200 ? as_csv(r, "items", {"rank", "agentId", "fullName", "value"})
                                  : r;
  }
  if (req.op == "reports.distribution") {
    auto r = distribution(txn, f);
    return csv && r.status == 200 ? as_csv(r, "items", {"key", "chats"}) : r;
  }
  if (req.op == "reports.trends") {
    auto r = trends(txn, f);
    return csv && r.status == 200 ? as_csv(r, "items",
                                           {"day", "chatsOpened", "messagesIn", "messagesOut",
                                            "promisesMade", "promisedAmount", "amountRecovered"})
                                  : r;
  }
  if (req.op == "reports.overview") {
    auto r = overview(txn);
    return csv ? as_csv(r, nullptr, overview_columns) : r;
  }
  return error(404, "not_found", "no operation " + req.op);
}

} // namespace crm_ops

} // namespace crm::storage
