#include "storage/agent_repository.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/result>

namespace crm::storage {

namespace {

// Arrays come back as JSON text: libpqxx 6 has no array reader worth the name.
constexpr auto load_agents_sql = R"sql(
select u.id, u.status, u.max_concurrent_chats, to_json(u.skills)::text,
       coalesce((select json_agg(ca.campaign_id)::text from campaign_agents ca
                  where ca.user_id = u.id), '[]'),
       coalesce((select json_agg(c.id)::text from chats c
                  where c.agent_id = u.id and c.status = 'assigned'), '[]')
  from users u join roles r on r.id = u.role_id
 where r.name = 'agent' and u.is_active
 order by u.id
)sql";

constexpr auto load_campaigns_sql = R"sql(
select id, strategy, to_json(required_skills)::text from campaigns where is_active order by id
)sql";

constexpr auto record_status_sql = R"sql(
with updated as (
  update users set status = $2, updated_at = now() where id = $1 returning id
), closed as (
  update agent_status_log set ended_at = now()
   where user_id = $1 and ended_at is null and exists (select 1 from updated)
  returning id
)
insert into agent_status_log (user_id, status)
select id, $2 from updated
returning id
)sql";

std::vector<std::string> strings(const pqxx::field& f) {
  return nlohmann::json::parse(f.as<std::string>()).get<std::vector<std::string>>();
}

} // namespace

void agent_repository::prepare(pqxx::connection& conn) {
  conn.prepare("agent.load_all", load_agents_sql);
  conn.prepare("campaign.load_routing", load_campaigns_sql);
  conn.prepare("agent.record_status", record_status_sql);
}

std::vector<agent_profile> agent_repository::load_agents(pqxx::transaction_base& txn) {
  std::vector<agent_profile> result;
  for (auto row : txn.exec_prepared("agent.load_all")) {
    agent_profile p;
    p.id.value = row[0].as<std::string>();
    p.status = row[1].as<std::string>();
    p.capacity = row[2].as<int>();
    p.skills = strings(row[3]);
    p.campaigns = strings(row[4]);
    p.open_chats = strings(row[5]);
    result.push_back(std::move(p));
  }
  return result;
}

bool agent_repository::record_status(pqxx::transaction_base& txn, const agent_status_event& ev) {
  return !txn.exec_prepared("agent.record_status", ev.agent.value, ev.status).empty();
}

std::vector<campaign_routing> agent_repository::load_campaigns(pqxx::transaction_base& txn) {
  std::vector<campaign_routing> result;
  for (auto row : txn.exec_prepared("campaign.load_routing"))
    result.push_back({row[0].as<std::string>(), row[1].as<std::string>(), strings(row[2])});
  return result;
}

} // namespace crm::storage
