#include "storage/audit_repository.hpp"

#include "storage/records.hpp"

#include <pqxx/result>

namespace crm::storage {

namespace {

using json = nlohmann::json;

constexpr auto append_row = R"sql(
select audit_append(nullif($1, '')::uuid, nullif($2, ''), $3, $4, nullif($5, ''),
                    nullif($6, '')::jsonb, nullif($7, '')::jsonb, nullif($8, ''), nullif($9, ''))
)sql";

// Filters left empty match everything; times are ISO-8601.
constexpr auto list_rows = R"sql(
select coalesce(json_agg(json_build_object(
         'id', s.id, 'userId', s.user_id, 'role', s.role, 'action', s.action,
         'entity', s.entity, 'entityId', s.entity_id, 'before', s.before, 'after', s.after,
         'ip', s.ip, 'userAgent', s.user_agent, 'createdAt', s.created_at) order by s.id desc),
         '[]')::text,
       coalesce(max(s.total), 0)
  from (select a.*, count(*) over () as total
          from audit_log a
         where ($1 = '' or a.user_id = nullif($1, '')::uuid)
           and ($2 = '' or a.action = $2)
           and ($3 = '' or a.entity = $3)
           and ($4 = '' or a.created_at >= nullif($4, '')::timestamptz)
           and ($5 = '' or a.created_at < nullif($5, '')::timestamptz)
         order by a.id desc limit $6 offset $7) s
)sql";

// Each row must hold the previous row's hash and a hash of its own content.
constexpr auto verify_chain = R"sql(
select count(*), min(id) filter (where not ok)
  from (select id,
               coalesce(prev_hash is not distinct from lag(hash) over (order by id)
                        and hash = audit_row_hash(prev_hash, id, user_id, role, action, entity,
                                                  entity_id, before, after, ip, user_agent,
                                                  created_at), false) as ok
          from audit_log) s
)sql";

} // namespace

void audit_repository::append(pqxx::transaction_base& txn, const audit_entry& e) {
  txn.exec_params(append_row, e.user_id, e.role, e.action, e.entity, e.entity_id, e.before, e.after,
                  e.ip, e.user_agent);
}

json audit_repository::list(pqxx::transaction_base& txn, const json& filters) {
  auto page = filters.value("page", std::int64_t{1});
  auto limit = filters.value("limit", std::int64_t{50});
  auto row =
      txn.exec_params1(list_rows, records::str(filters, "user"), records::str(filters, "action"),
                       records::str(filters, "entity"), records::str(filters, "from"),
                       records::str(filters, "to"), limit, (page - 1) * limit);
  return {{"items", json::parse(row[0].as<std::string>())},
          {"total", row[1].as<std::int64_t>()},
          {"page", page},
          {"limit", limit}};
}

json audit_repository::verify(pqxx::transaction_base& txn) {
  auto row = txn.exec1(verify_chain);
  auto broken = row[1].is_null() ? json{} : json(row[1].as<std::int64_t>());
  return {{"valid", broken.is_null()},
          {"checked", row[0].as<std::int64_t>()},
          {"firstBrokenId", broken}};
}

} // namespace crm::storage
