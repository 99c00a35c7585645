#include "storage/number_repository.hpp"

#include "storage/pg.hpp"

#include <pqxx/result>

namespace crm::storage {

namespace {

// Inactive numbers route nothing: their traffic is kept as unrouted.
constexpr auto by_meta_id = "select id, coalesce(campaign_id::text, '') from whatsapp_numbers"
                            " where provider = 'meta' and meta_phone_number_id = $1 and is_active";

// A malformed id must read as "not found", not as an SQL error.
constexpr auto by_id =
    "select id, coalesce(campaign_id::text, ''), coalesce(convert_from(credentials, 'UTF8'), '')"
    " from whatsapp_numbers where provider = 'wppconnect' and id::text = $1 and is_active";

#define CRM_NUMBER_PROFILE                                                                         \
  "n.id, n.provider, n.phone_number, coalesce(n.campaign_id::text, ''),"                           \
  " coalesce(n.meta_phone_number_id, ''), coalesce(convert_from(n.credentials, 'UTF8'), ''),"      \
  " n.rate_limit_per_second, coalesce(n.wppconnect_base_url, ''),"                                 \
  " coalesce(n.wppconnect_session, '')"

constexpr auto all =
    "select " CRM_NUMBER_PROFILE " from whatsapp_numbers n where n.is_active order by n.created_at";

// Fields arrive as one JSON object of validated columns; absent keys keep their value.
constexpr auto create = R"sql(
with f as (select $1::jsonb as j)
insert into whatsapp_numbers (name, phone_number, provider, campaign_id, meta_phone_number_id,
                              credentials, rate_limit_per_second, wppconnect_base_url,
                              wppconnect_session)
select j->>'name', j->>'phone_number', j->>'provider', (j->>'campaign_id')::uuid,
       j->>'meta_phone_number_id', convert_to(j->>'credentials', 'UTF8'),
       coalesce((j->>'rate_limit_per_second')::int, 80), j->>'wppconnect_base_url',
       j->>'wppconnect_session'
  from f
returning id
)sql";

constexpr auto update = R"sql(
with f as (select $2::jsonb as j)
update whatsapp_numbers n set
  name = coalesce(j->>'name', name),
  phone_number = coalesce(j->>'phone_number', phone_number),
  campaign_id = case when j ? 'campaign_id' then (j->>'campaign_id')::uuid else campaign_id end,
  meta_phone_number_id = coalesce(j->>'meta_phone_number_id', meta_phone_number_id),
  credentials = coalesce(convert_to(j->>'credentials', 'UTF8'), credentials),
  rate_limit_per_second = coalesce((j->>'rate_limit_per_second')::int, rate_limit_per_second),
  wppconnect_base_url = coalesce(j->>'wppconnect_base_url', wppconnect_base_url),
  wppconnect_session = coalesce(j->>'wppconnect_session', wppconnect_session),
  updated_at = now()
  from f
 where n.id::text = $1 and n.is_active
returning n.id
)sql";

constexpr auto deactivate = "update whatsapp_numbers set is_active = false, updated_at = now()"
                            " where id::text = $1 and is_active returning id";

constexpr auto saved = "select " CRM_NUMBER_PROFILE
                       ", number_json(n), n.is_active from whatsapp_numbers n where n.id = $1";

constexpr auto list = "select coalesce(json_agg(number_json(n) order by n.created_at), '[]'),"
                      " count(*) from whatsapp_numbers n where n.is_active";

constexpr auto one = "select number_json(n) from whatsapp_numbers n"
                     " where n.id::text = $1 and n.is_active";

constexpr auto health = "update whatsapp_numbers set status = $2, last_error = nullif($3, ''),"
                        " updated_at = now() where id = $1 returning id";

#undef CRM_NUMBER_PROFILE

number_profile to_profile(const pqxx::row& row) {
  return {number_id{row[0].as<std::string>()},
          row[1].as<std::string>(),
          row[2].as<std::string>(),
          row[3].as<std::string>(),
          row[4].as<std::string>(),
          row[5].as<std::string>(),
          row[6].as<int>(),
          row[7].as<std::string>(),
          row[8].as<std::string>()};
}

} // namespace

void number_repository::prepare(pqxx::connection& conn) {
  conn.prepare("number.by_meta_id", by_meta_id);
  conn.prepare("number.by_id", by_id);
  conn.prepare("number.all", all);
  conn.prepare("number.create", create);
  conn.prepare("number.update", update);
  conn.prepare("number.deactivate", deactivate);
  conn.prepare("number.saved", saved);
  conn.prepare("number.list", list);
  conn.prepare("number.one", one);
  conn.prepare("number.health", health);
}

number_info number_repository::lookup(pqxx::transaction_base& txn, const number_lookup& req) {
  auto rows = req.provider == "meta" ? txn.exec_prepared("number.by_meta_id", req.number_key)
                                     : txn.exec_prepared("number.by_id", req.number_key);
  number_info result;
  if (rows.empty())
    return result;
  result.found = true;
  result.id.value = rows[0][0].as<std::string>();
  result.campaign_id = rows[0][1].as<std::string>();
  if (rows[0].size() > 2)
    result.credentials = rows[0][2].as<std::string>();
  return result;
}

std::vector<number_profile> number_repository::load_all(pqxx::transaction_base& txn) {
  std::vector<number_profile> result;
  for (auto row : txn.exec_prepared("number.all"))
    result.push_back(to_profile(row));
  return result;
}

std::optional<number_saved> number_repository::change(pqxx::transaction_base& txn,
                                                      const number_change& c) {
  pqxx::result rows;
  if (c.kind == "create")
    rows = txn.exec_prepared("number.create", c.fields);
  else if (c.kind == "update") {
    // Settings of the other provider would replace this number's sealed credentials with
    // ones its client cannot use (a WPPConnect number losing its token).
    auto given = txn.exec_params("select $2::jsonb->>'settingsFor', provider from"
                                 " whatsapp_numbers where id::text = $1 and is_active",
                                 c.id.value, c.fields);
    if (!given.empty() && !given[0][0].is_null() &&
        given[0][0].as<std::string>() != given[0][1].as<std::string>())
      throw rule_error{ec::invalid_input, given[0][0].as<std::string>() +
                                              " settings do not apply to a " +
                                              given[0][1].as<std::string>() + " number"};
    rows = txn.exec_prepared("number.update", c.id.value, c.fields);
  } else
    rows = txn.exec_prepared("number.deactivate", c.id.value);
  if (rows.empty())
    return std::nullopt;
  auto row = txn.exec_prepared("number.saved", rows[0][0].as<std::string>()).at(0);
  return number_saved{to_profile(row), row[9].as<std::string>(), row[10].as<bool>()};
}

bool number_repository::record_health(pqxx::transaction_base& txn, const number_health& h) {
  return !txn.exec_prepared("number.health", h.id.value, h.status, h.last_error).empty();
}

json_page number_repository::read(pqxx::transaction_base& txn, const std::string& id) {
  if (id.empty()) {
    auto row = txn.exec_prepared("number.list").at(0);
    return {row[0].as<std::string>(), row[1].as<std::int64_t>(), true};
  }
  auto rows = txn.exec_prepared("number.one", id);
  if (rows.empty())
    return {"", 0, false};
  return {rows[0][0].as<std::string>(), 1, true};
}

} // namespace crm::storage
