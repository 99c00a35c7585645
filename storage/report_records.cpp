// Reports for supervisors (definitions in docs/reports.md), computed by SQL over indexed
// tables. Dates are the business calendar (the connection's TimeZone is CRM_TIMEZONE): a
// plain date `to` includes that whole day. Every report also answers as CSV.
#include "domain/csv.hpp"
#include "storage/crm_records.hpp"
#include "storage/records.hpp"

#include <pqxx/except>
#include <pqxx/result>
#include <pqxx/transaction>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

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

constexpr auto agents_sql = R"sql(
with h as (
  select * from agent_handlings($1, $2)
   where ($3 = '' or campaign_id = nullif($3, '')::uuid)
     and ($4 = '' or agent_id = nullif($4, '')::uuid)
     and ($5 = '' or number_id = nullif($5, '')::uuid)
), outcomes as (
  select agent_id, json_object_agg(outcome, n) as outcomes
    from (select agent_id, outcome, count(*) as n from h where outcome is not null
           group by agent_id, outcome) o
   group by agent_id
), per_agent as (
  select agent_id,
         count(distinct chat_id) as handled,
         count(*) filter (where closed) as closed,
         avg(extract(epoch from first_reply_at - response_from))
           filter (where first_reply_at is not null) as tmr,
         count(*) filter (where first_reply_at is not null) as answered,
         count(*) filter (where response_from is not null and first_reply_at is null)
           as unanswered,
         avg(extract(epoch from released_at - assigned_at)) filter (where closed) as tmo
    from h group by agent_id
), sent as (
  select m.sent_by as agent_id, count(*) as n from messages m
   where m.sent_by is not null and m.created_at >= $1 and m.created_at < $2
     and ($3 = '' or m.chat_id in (select id from chats where campaign_id = nullif($3, '')::uuid))
     and ($5 = '' or m.number_id = nullif($5, '')::uuid)
   group by m.sent_by
), status as (
  select agent_id, json_object_agg(status, round(seconds)) as seconds,
         sum(seconds) filter (where status in ('available', 'busy')) as logged
    from agent_status_seconds($1, $2) group by agent_id
), promised as (
  select p.created_by as agent_id, count(*) as made, sum(p.amount) as amount,
         count(*) filter (where promise_state(p) = 'kept') as kept,
         count(*) filter (where promise_state(p) = 'broken') as broken,
         count(*) filter (where promise_state(p) = 'partially_kept') as partial,
         coalesce(sum(promise_paid(p)), 0) as recovered
    from payment_promises p
   where p.created_by is not null and p.created_at >= $1 and p.created_at < $2
     and ($3 = '' or p.chat_id in (select id from chats where campaign_id = nullif($3, '')::uuid))
   group by p.created_by
)
select u.id, u.full_name, coalesce(a.handled, 0), coalesce(a.closed, 0),
       coalesce(o.outcomes, '{}')::text, a.tmr, coalesce(a.answered, 0),
       coalesce(a.unanswered, 0), a.tmo, coalesce(s.n, 0), st.logged,
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
    items.push_back(
        {{"agentId", r[0].as<std::string>()},
         {"fullName", r[1].as<std::string>()},
         {"chatsHandled", r[2].as<std::int64_t>()},
         {"chatsClosed", r[3].as<std::int64_t>()},
         {"outcomes", json::parse(r[4].as<std::string>())},
         {"tmrSeconds", nullable_seconds(r[5])},
         {"answeredChats", r[6].as<std::int64_t>()},
         {"unansweredChats", r[7].as<std::int64_t>()},
         {"tmoSeconds", nullable_seconds(r[8])},
         {"messagesSent", sent},
         {"hoursLoggedIn", std::round(logged / 36) / 100},
         {"sph", logged > 0 ? json(std::round(sent / (logged / 3600) * 100) / 100) : json(nullptr)},
         {"statusSeconds", json::parse(r[11].as<std::string>())},
         {"promisesMade", r[12].as<std::int64_t>()},
         {"promisedAmount", r[13].as<double>()},
         {"promisesKept", r[14].as<std::int64_t>()},
         {"promisesBroken", r[15].as<std::int64_t>()},
         {"promisesPartiallyKept", r[16].as<std::int64_t>()},
         {"amountRecovered", r[17].as<double>()}});
    // Share of handled chats that ended in a promise or a payment.
    auto& item = items.back();
    auto handled = item["chatsHandled"].get<std::int64_t>();
    auto won = item["outcomes"].value("promise", 0) + item["outcomes"].value("paid", 0);
    item["effectiveness"] =
        handled > 0 ? json(std::round(1000.0 * won / static_cast<double>(handled)) / 1000)
                    : json(nullptr);
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

constexpr auto distribution_sql = R"sql(
select coalesce(k, 'none'), count(*) from (
  select case $6 when 'status' then c.status when 'priority' then c.priority
                 when 'outcome' then c.outcome
                 else coalesce(cp.name, null) end as k
    from chats c left join campaigns cp on cp.id = c.campaign_id
   where c.opened_at >= $1 and c.opened_at < $2
     and ($3 = '' or c.campaign_id = nullif($3, '')::uuid)
     and ($4 = '' or c.agent_id = nullif($4, '')::uuid)
     and ($5 = '' or c.number_id = nullif($5, '')::uuid)) x
 group by 1 order by 2 desc, 1
)sql";

// One row per local day of the range; days without activity show zeros.
constexpr auto trends_sql = R"sql(
with days as (
  select d::date as day
    from generate_series(($1::timestamptz)::date::timestamp,
                         ($2::timestamptz - interval '1 microsecond')::date::timestamp,
                         interval '1 day') d
), opened as (
  select opened_at::date as day, count(*) as n from chats c
   where opened_at >= $1 and opened_at < $2
     and ($3 = '' or c.campaign_id = nullif($3, '')::uuid)
     and ($5 = '' or c.number_id = nullif($5, '')::uuid)
   group by 1
), msgs as (
  select m.created_at::date as day, count(*) filter (where m.direction = 'in') as inbound,
         count(*) filter (where m.direction = 'out') as outbound
    from messages m
   where m.created_at >= $1 and m.created_at < $2
     and ($5 = '' or m.number_id = nullif($5, '')::uuid)
     and ($3 = '' or m.chat_id in (select id from chats where campaign_id = nullif($3, '')::uuid))
     and ($4 = '' or m.sent_by = nullif($4, '')::uuid)
   group by 1
), promised as (
  select created_at::date as day, count(*) as n, sum(amount) as amount from payment_promises p
   where created_at >= $1 and created_at < $2
     and ($4 = '' or p.created_by = nullif($4, '')::uuid)
   group by 1
), paid as (
  select paid_on as day, sum(amount) as amount from payments
   where paid_on >= ($1::timestamptz)::date
     and paid_on <= ($2::timestamptz - interval '1 microsecond')::date
   group by 1
)
select to_char(d.day, 'YYYY-MM-DD'), coalesce(o.n, 0), coalesce(m.inbound, 0),
       coalesce(m.outbound, 0), coalesce(p.n, 0), coalesce(p.amount, 0), coalesce(y.amount, 0)
  from days d left join opened o using (day) left join msgs m using (day)
  left join promised p using (day) left join paid y using (day)
 order by d.day
)sql";

api_reply rankings(pqxx::transaction_base& txn, const json& f) {
  static const std::map<std::string, bool> metrics = {// metric -> lower is better
                                                      {"tmr", true},
                                                      {"tmo", true},
                                                      {"sph", false},
                                                      {"chatsClosed", false},
                                                      {"effectiveness", false},
                                                      {"promisesMade", false},
                                                      {"promisedAmount", false},
                                                      {"amountRecovered", false},
                                                      {"promisesKept", false}};
  static const std::map<std::string, std::string> field = {{"tmr", "tmrSeconds"},
                                                           {"tmo", "tmoSeconds"}};
  auto metric = str(f, "metric").empty() ? std::string{"effectiveness"} : str(f, "metric");
  auto it = metrics.find(metric);
  if (it == metrics.end())
    return invalid("metric", "metric must be one of tmr, tmo, sph, chatsClosed, effectiveness, "
                             "promisesMade, promisedAmount, amountRecovered, promisesKept");
  auto report = agents(txn, f);
  if (report.status != 200)
    return report;
  auto body = json::parse(report.body);
  auto key = field.count(metric) ? field.at(metric) : metric;
  bool ascending = it->second;
  json ranked = json::array(), unranked = json::array();
  for (auto& a : body["items"])
    (a[key].is_null() ? unranked : ranked)
        .push_back({{"agentId", a["agentId"]}, {"fullName", a["fullName"]}, {"value", a[key]}});
  std::stable_sort(ranked.begin(), ranked.end(), [&](const json& x, const json& y) {
    return ascending ? x["value"].get<double>() < y["value"].get<double>()
                     : x["value"].get<double>() > y["value"].get<double>();
  });
  int rank = 0;
  for (auto& r : ranked)
    r["rank"] = ++rank;
  for (auto& u : unranked) // no value (nothing answered, no time logged): last, no rank
    ranked.push_back(std::move(u));
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
  for (auto r : txn.exec_params(trends_sql, range->from, range->to, str(f, "campaignId"),
                                str(f, "agentId"), str(f, "numberId")))
    items.push_back({{"day", r[0].as<std::string>()},
                     {"chatsOpened", r[1].as<std::int64_t>()},
                     {"messagesIn", r[2].as<std::int64_t>()},
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

} // namespace

namespace crm_ops {

api_reply reports(crm_worker_state& st, const api_request& req, const json& f) {
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
