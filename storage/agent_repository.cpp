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
select id, strategy, to_json(required_skills)::text, max_chats_per_agent from campaigns
 where is_active order by id
)sql";

// Three statements, not one: in a single statement the new open row would meet the old
// one in the unique index (all parts of a statement share one snapshot).
constexpr auto set_status_sql =
    "update users set status = $2, updated_at = now() where id = $1 returning id";
constexpr auto close_stretch_sql =
    "update agent_status_log set ended_at = now() where user_id = $1 and ended_at is null";
constexpr auto open_stretch_sql = "insert into agent_status_log (user_id, status) values ($1, $2)";

std::vector<std::string> strings(const pqxx::field& f) {
  return nlohmann::json::parse(f.as<std::string>()).get<std::vector<std::string>>();
}

} // namespace

void agent_repository::prepare(pqxx::connection& conn) {
  conn.prepare("agent.load_all", load_agents_sql);
  conn.prepare("campaign.load_routing", load_campaigns_sql);
  conn.prepare("agent.set_status", set_status_sql);
  conn.prepare("agent.close_stretch", close_stretch_sql);
  conn.prepare("agent.open_stretch", open_stretch_sql);
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
  if (txn.exec_prepared("agent.set_status", ev.agent.value, ev.status).empty())
    return false;
  txn.exec_prepared("agent.close_stretch", ev.agent.value);
  txn.exec_prepared("agent.open_stretch", ev.agent.value, ev.status);
  return true;
}

std::vector<campaign_routing> agent_repository::load_campaigns(pqxx::transaction_base& txn) {
  std::vector<campaign_routing> result;
  for (auto row : txn.exec_prepared("campaign.load_routing"))
    result.push_back(
        {row[0].as<std::string>(), row[1].as<std::string>(), strings(row[2]), row[3].as<int>()});
  return result;
}

} // namespace crm::storage
